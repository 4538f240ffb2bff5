-- What the advisor and the citizen agreed, written for the citizen (issue 15 §3): shown to the
-- citizen under "Mine opkald" with the date and the advisor's first name. The internal note
-- (outcome_note) stays for FSC only.
ALTER TABLE callback ADD COLUMN citizen_summary text CHECK (length(citizen_summary) <= 1000);
