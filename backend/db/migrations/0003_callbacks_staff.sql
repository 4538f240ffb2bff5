-- Schema v3: Fælles Service Center staff and their sessions, the callback schedule (opening
-- hours, slot length, advisors per slot) and the citizens' callback requests.
-- Staff views of citizen data are written to the existing append-only audit_log (actor_kind 'staff').

CREATE TABLE staff (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL,
    email           text NOT NULL,
    role            text NOT NULL CHECK (role IN ('advisor', 'supervisor')),
    active          boolean NOT NULL DEFAULT true,
    is_demo         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email_key ON staff (lower(email));

-- Separate from citizen sessions: own table, own cookie (fsc_staff_session, path /fsc).
CREATE TABLE staff_session (
    token_hash      bytea PRIMARY KEY,         -- SHA-256 of the cookie value
    staff_id        integer NOT NULL REFERENCES staff (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX staff_session_expires_idx ON staff_session (expires_at);

-- Exactly one row: how the day is cut into slots and how many advisors take calls per slot.
CREATE TABLE callback_settings (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    slot_minutes        integer NOT NULL DEFAULT 30 CHECK (slot_minutes IN (15, 20, 30, 60)),
    advisors_per_slot   integer NOT NULL DEFAULT 2 CHECK (advisors_per_slot BETWEEN 0 AND 50),
    -- days closed besides Danish public holidays, as 'MM-DD' (see backend/calendar_dk.py)
    closed_days         text[] NOT NULL DEFAULT '{12-24,12-31}',
    updated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by          integer REFERENCES staff (id)
);
INSERT INTO callback_settings DEFAULT VALUES;

-- Opening hours per weekday (0 = Monday … 6 = Sunday, like Python's date.weekday()); NULL = closed.
CREATE TABLE callback_opening_hours (
    weekday         smallint PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
    opens           time,
    closes          time,
    CHECK ((opens IS NULL) = (closes IS NULL)),
    CHECK (opens < closes)
);
INSERT INTO callback_opening_hours (weekday, opens, closes) VALUES
    (0, '08:00', '15:00'), (1, '08:00', '15:00'), (2, '08:00', '15:00'), (3, '08:00', '15:00'),
    (4, '08:00', '14:00'), (5, NULL, NULL), (6, NULL, NULL);

-- A row per slot that has (had) bookings or a capacity override. Booking locks this row
-- (INSERT … ON CONFLICT DO UPDATE) before counting, so two citizens cannot both take the last place.
CREATE TABLE callback_slot (
    slot_start      timestamptz PRIMARY KEY,
    capacity        integer CHECK (capacity BETWEEN 0 AND 50)   -- NULL: callback_settings.advisors_per_slot
);

CREATE TABLE callback (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    slot_start      timestamptz NOT NULL REFERENCES callback_slot (slot_start),
    topic           text NOT NULL CHECK (topic IN ('grant', 'order', 'product', 'other')),
    phone           text NOT NULL CHECK (phone ~ '^\+45 [2-9][0-9] [0-9]{2} [0-9]{2} [0-9]{2}$'),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    status          text NOT NULL DEFAULT 'waiting'
                    CHECK (status IN ('waiting', 'in_progress', 'done', 'no_answer', 'cancelled', 'failed')),
    claimed_by      integer REFERENCES staff (id),   -- the advisor who has it (or last had it)
    claimed_at      timestamptz,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 3),  -- calls not answered
    outcome         text CHECK (outcome IN ('advice_given', 'order_placed', 'forwarded_to_municipality', 'no_answer')),
    outcome_note    text NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 2000),
    version         integer NOT NULL DEFAULT 1,      -- +1 at every move; reminder jobs carry it
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (status NOT IN ('waiting', 'no_answer') OR claimed_by IS NULL),
    CHECK (status <> 'in_progress' OR claimed_by IS NOT NULL)
);
CREATE INDEX callback_slot_idx ON callback (slot_start) WHERE status <> 'cancelled';
CREATE INDEX callback_citizen_idx ON callback (citizen_id, slot_start DESC);
CREATE INDEX callback_open_idx ON callback (slot_start) WHERE status IN ('waiting', 'in_progress', 'no_answer');
