-- Each authority's contact for grant questions (issue 15 §4): who a citizen calls or writes about
-- a grant. Shown on the help page to the citizen of that municipality; kept by FSC supervisors.
ALTER TABLE authority
    ADD COLUMN contact_name       text,
    ADD COLUMN contact_phone      text,
    ADD COLUMN contact_email      text,
    ADD COLUMN contact_url        text,
    ADD COLUMN contact_updated_at timestamptz,
    ADD COLUMN contact_updated_by integer REFERENCES staff (id);
