-- Sessions end after a time without use (idle timeout) and at the latest at expires_at (absolute
-- lifetime). Each row carries its own rules, fixed at login from the settings for its kind
-- (citizen, citizen on a remembered phone, staff): idle_timeout, and idle_expires_at = the last
-- use (last_seen_at, recorded at most once a minute) + idle_timeout, indexed for housekeeping.

ALTER TABLE session
    ADD COLUMN last_seen_at    timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN idle_timeout    interval NOT NULL DEFAULT interval '2 hours',
    ADD COLUMN idle_expires_at timestamptz NOT NULL DEFAULT now() + interval '2 hours',
    -- "Remember this phone" at login: longer idle timeout and lifetime.
    ADD COLUMN remember        boolean NOT NULL DEFAULT false;
-- Sessions existing before this migration keep their absolute expiry; their idle time starts now.
CREATE INDEX session_idle_expires_idx ON session (idle_expires_at);
-- "Log out everywhere" ends all of a citizen's sessions.
CREATE INDEX session_citizen_idx ON session (citizen_id);

ALTER TABLE staff_session
    ADD COLUMN last_seen_at    timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN idle_timeout    interval NOT NULL DEFAULT interval '30 minutes',
    ADD COLUMN idle_expires_at timestamptz NOT NULL DEFAULT now() + interval '30 minutes';
CREATE INDEX staff_session_idle_expires_idx ON staff_session (idle_expires_at);
-- Deactivating a staff member ends all of their sessions.
CREATE INDEX staff_session_staff_idx ON staff_session (staff_id);
