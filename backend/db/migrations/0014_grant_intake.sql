-- Grant intake (issue 16 §1–2): municipal case systems and hospital discharge put grants in
-- through /api/v1/grants (per-authority API keys) or a CSV import.
--
-- api_key: one authority's key. Only the SHA-256 of the token is kept (the token is random,
-- 256 bits, so a plain hash suffices; it is shown once when made). ``prefix`` is the token's
-- first characters, shown on the staff page so a key can be told apart.
CREATE TABLE api_key (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    authority_id    integer NOT NULL REFERENCES authority (id),
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    prefix          text NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      integer REFERENCES staff (id),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    revoked_by      integer REFERENCES staff (id)
);
CREATE INDEX api_key_authority_idx ON api_key (authority_id);

-- Who put a grant in, under which of their own references (idempotency key), and a hash of the
-- create request's content (same reference + same content = the same grant; else 409).
-- Grants from the demo seed or older data have neither.
ALTER TABLE grant_
    ADD COLUMN issuer_id      integer REFERENCES authority (id),
    ADD COLUMN reference      text CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 100),
    ADD COLUMN content_hash   bytea,
    ADD COLUMN updated_at     timestamptz,
    ADD CHECK ((issuer_id IS NULL) = (reference IS NULL));
CREATE UNIQUE INDEX grant_issuer_reference_key ON grant_ (issuer_id, reference) WHERE reference IS NOT NULL;
-- Ending discharge grants (backend/grants/handover.py) are found by their end date.
CREATE INDEX grant_valid_to_idx ON grant_ (valid_to) WHERE valid_to IS NOT NULL;
-- The hand-over looks up a citizen's grants of one product.
CREATE INDEX grant_citizen_product_idx ON grant_ (citizen_id, product_id);
