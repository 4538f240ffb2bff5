-- Schema v13 (issue 15, FSC as the one front door): finding the citizen who phones in, and one
-- call model for booked callbacks and inbound calls.

-- Birth year, shown in the search results. Written when the citizen is created, from the CPR's
-- date part and century digit (backend/citizens/cpr.py birth_year); the CPR itself is never stored.
ALTER TABLE citizen ADD COLUMN birth_year smallint CHECK (birth_year BETWEEN 1858 AND 2057);

-- Name search without extensions: the embedded PostgreSQL has neither pg_trgm nor unaccent.
-- fsc_fold lower-cases and folds the letters of Danish and other Latin names ("Søren" -> "soren",
-- "Æbelø" -> "aebelo"); backend/citizens/search.py fold() does exactly the same to the query.
-- The folded words go into a tsvector with the 'simple' configuration (no stemming, no stop words),
-- so a GIN index answers prefix queries on any word of the name ("sore:* & hans:*").
CREATE FUNCTION fsc_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT replace(lower(translate(value,
        'ØÅÄÖÜÉÈÊËÁÀÂÍÌÎÓÒÔÚÙÛÝŸÇÑøåäöüéèêëáàâíìîóòôúùûýÿçñÆ',
        'oaaoueeeeaaaiiiooouuuyycnoaaoueeeeaaaiiiooouuuyycnæ')), 'æ', 'ae') $$;

ALTER TABLE citizen
    ADD COLUMN name_search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, fsc_fold(name))) STORED,
    -- the last 8 digits of the phone number, whatever its formatting ("+45 12 34 56 78" -> "12345678")
    ADD COLUMN phone_digits text
        GENERATED ALWAYS AS (nullif(right(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), 8), '')) STORED;
CREATE INDEX citizen_name_search_idx ON citizen USING gin (name_search);
CREATE INDEX citizen_phone_digits_idx ON citizen (phone_digits);

-- One call model: a booked callback (the citizen, or FSC for them, chose a slot) or an inbound call
-- (the citizen phoned FSC; opened by the advisor from the citizen's record, no slot, no booking).
-- Both have the same call view, outcomes, citizen-facing summary and order by phone.
ALTER TABLE callback
    ADD COLUMN kind text NOT NULL DEFAULT 'booked' CHECK (kind IN ('booked', 'inbound')),
    ALTER COLUMN slot_start DROP NOT NULL,
    ALTER COLUMN phone DROP NOT NULL,
    ALTER COLUMN topic DROP NOT NULL,
    ADD CONSTRAINT callback_booked_has_slot
        CHECK (kind = 'inbound' OR (slot_start IS NOT NULL AND phone IS NOT NULL AND topic IS NOT NULL)),
    ADD CONSTRAINT callback_inbound_has_no_slot CHECK (kind = 'booked' OR slot_start IS NULL),
    ADD CONSTRAINT callback_done_has_topic CHECK (status <> 'done' OR topic IS NOT NULL);
-- An inbound call's time is when it was opened: the citizen's calls are listed by this.
CREATE INDEX callback_citizen_inbound_idx ON callback (citizen_id, created_at DESC) WHERE kind = 'inbound';
