-- Retention (issue 18): data kept only as long as allowed.
-- Written to be safe during a rolling deploy: it only adds (a nullable column, a function, an
-- index, a trigger that allows strictly less than "nothing" did not); the previous release keeps working.

-- A citizen whose grants all ended more than the retention period ago is anonymised: the row (and
-- the orders and grants that point at it, for the payers' accounts) stays, what identifies the
-- person goes. The time it happened:
ALTER TABLE citizen ADD COLUMN anonymised_at timestamptz;

-- The access log stays append-only: UPDATE and TRUNCATE are always refused, and a DELETE only
-- inside purge_audit_log(cutoff), for rows older than its cutoff (the row trigger reads the cutoff
-- the function sets for its own transaction). An ordinary DELETE fails as before.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
       AND coalesce(current_setting('fsc.audit_purge_before', true), '') <> ''
       AND OLD.at < current_setting('fsc.audit_purge_before')::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

DROP TRIGGER audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_delete_only_by_purge BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- The one sanctioned removal: entries older than the retention period (FSC_AUDIT_LOG_KEEP_DAYS,
-- 5 years by default). Never anything younger than one year, whatever the caller asks.
-- SECURITY DEFINER: where the app's role does not own audit_log (see docs/operations.md), the
-- role may EXECUTE this and still cannot DELETE from the table itself.
CREATE FUNCTION purge_audit_log(cutoff timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    IF cutoff > now() - interval '1 year' THEN
        RAISE EXCEPTION 'audit_log: entries younger than one year are never purged';
    END IF;
    PERFORM set_config('fsc.audit_purge_before', cutoff::text, true);
    DELETE FROM audit_log WHERE at < cutoff;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('fsc.audit_purge_before', '', true);
    RETURN removed;
END $$;

CREATE INDEX audit_log_at_idx ON audit_log (at);
