-- The citizen's data download lists every power of attorney they gave, ended and revoked ones too;
-- power_of_attorney_live_key covers only live ones.
CREATE INDEX power_of_attorney_citizen_idx ON power_of_attorney (citizen_id);
