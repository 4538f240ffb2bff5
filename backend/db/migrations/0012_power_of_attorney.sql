-- Relatives (helpers) act for a citizen with a power of attorney (fuldmagt): they log in as
-- themselves (a person, migration 0007) and choose whom they act for. What they may do is a set
-- of scopes; a power ends at valid_to or when revoked, and the very next request knows it.

CREATE TABLE power_of_attorney (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    person_id       bigint NOT NULL REFERENCES person (id),   -- the helper
    scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
                        'view', 'order', 'callbacks', 'delivery', 'notifications']::text[]),
    source          text NOT NULL CHECK (source IN ('invitation', 'paper', 'digital_fuldmagt')),
    document_ref    text NOT NULL DEFAULT '',                 -- paper / Digital Fuldmagt reference
    registered_by   bigint REFERENCES staff (id),             -- the advisor who registered it (not invitations)
    valid_to        timestamptz,                              -- NULL: until revoked
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    CHECK (source = 'invitation' OR registered_by IS NOT NULL)
);
-- At most one live power per helper and citizen (a new one replaces the old).
CREATE UNIQUE INDEX power_of_attorney_live_key ON power_of_attorney (citizen_id, person_id) WHERE revoked_at IS NULL;
CREATE INDEX power_of_attorney_person_idx ON power_of_attorney (person_id) WHERE revoked_at IS NULL;

-- An invitation the citizen gave a named helper: a link (random token) and a short code to read
-- aloud, both stored only as keyed hashes; valid 72 hours, used once.
CREATE TABLE power_invitation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    helper_name     text NOT NULL CHECK (length(helper_name) BETWEEN 1 AND 100),
    scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
                        'view', 'order', 'callbacks', 'delivery', 'notifications']::text[]),
    token_hash      bytea NOT NULL UNIQUE,
    code_hash       bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL DEFAULT now() + interval '72 hours',
    accepted_at     timestamptz,
    accepted_power_id bigint REFERENCES power_of_attorney (id),
    revoked_at      timestamptz
);
CREATE INDEX power_invitation_citizen_idx ON power_invitation (citizen_id);

-- Whom the session's person acts for: NULL = themself. The viewer query joins the power and
-- checks it is still live on every request (no cached copy).
ALTER TABLE session ADD COLUMN acting_for_power_id bigint REFERENCES power_of_attorney (id);

-- Demo helpers (invented people) can be picked on the demo login page.
ALTER TABLE person ADD COLUMN is_demo boolean NOT NULL DEFAULT false;

-- A helper's own phone may get the delivery notices of the citizens they help: a device belongs
-- to the citizen who subscribed it (their own notices) and/or to the MitID person who did (the
-- notices of everyone they help with the "notifications" scope); a helper-only person has no citizen.
ALTER TABLE push_subscription ALTER COLUMN citizen_id DROP NOT NULL;
ALTER TABLE push_subscription ADD COLUMN person_id bigint REFERENCES person (id);
ALTER TABLE push_subscription ADD CONSTRAINT push_subscription_owner
    CHECK (citizen_id IS NOT NULL OR person_id IS NOT NULL);
CREATE INDEX push_subscription_person_idx ON push_subscription (person_id) WHERE person_id IS NOT NULL;

-- The citizen hears when a helper orders for them.
ALTER TABLE push_preference DROP CONSTRAINT push_preference_type_check;
ALTER TABLE push_preference ADD CONSTRAINT push_preference_type_check CHECK (type IN (
    'order_confirmed', 'handed_to_carrier', 'out_for_delivery', 'delivered',
    'delivery_failed', 'backorder', 'callback_reminder', 'time_to_reorder',
    'grant_expiring', 'helper_ordered'));
