-- Real login (OpenID Connect). A person is whoever signed in with MitID, citizen or not (a helper,
-- or someone whose grants are not here yet); a citizen is a person with grants. Both are found by the
-- same keyed CPR hash (FSC_CPR_KEY), so the CPR number itself is never stored.
CREATE TABLE person (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cpr_hash        bytea NOT NULL UNIQUE,     -- HMAC-SHA256(FSC_CPR_KEY, cpr), as citizen.cpr_hash
    name            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);

-- A session belongs to a person (MitID login) and, when that person is a citizen, to the citizen too.
-- Demo logins have a citizen and no person. login_method tells logout whether to end the provider's session.
ALTER TABLE session ALTER COLUMN citizen_id DROP NOT NULL;
ALTER TABLE session ADD COLUMN person_id bigint REFERENCES person (id);
ALTER TABLE session ADD COLUMN login_method text NOT NULL DEFAULT 'demo' CHECK (login_method IN ('demo', 'oidc'));
ALTER TABLE session ADD CONSTRAINT session_has_someone CHECK (citizen_id IS NOT NULL OR person_id IS NOT NULL);
CREATE INDEX session_person_idx ON session (person_id) WHERE person_id IS NOT NULL;

-- Staff accounts are created at their first organisation login and found again by the provider's subject.
ALTER TABLE staff ADD COLUMN oidc_subject text;
ALTER TABLE staff ADD COLUMN last_login_at timestamptz;
CREATE UNIQUE INDEX staff_oidc_subject_key ON staff (oidc_subject) WHERE oidc_subject IS NOT NULL;
ALTER TABLE staff_session ADD COLUMN login_method text NOT NULL DEFAULT 'demo' CHECK (login_method IN ('demo', 'oidc'));
