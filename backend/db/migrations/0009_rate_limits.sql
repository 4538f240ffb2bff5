-- Rate limits shared by every web process: one row per limited key (a rule and a client or an
-- account), a fixed window that starts with the key's first hit. One statement per check upserts
-- the row and returns the count (backend/ratelimit/queries.py); housekeeping deletes rows whose
-- window has ended.
--
-- UNLOGGED: the counters are written on every limited request and are worth nothing after a
-- crash (the limits simply start afresh), so they skip the write-ahead log; such a table is also
-- not copied to a standby, which after a fail-over likewise just means fresh limits.
CREATE UNLOGGED TABLE rate_limit (
    key             text PRIMARY KEY,
    window_start    timestamptz NOT NULL,
    window_s        integer NOT NULL CHECK (window_s > 0),
    hits            integer NOT NULL CHECK (hits >= 0)
);
