"""Data kept only as long as allowed (docs/retention.md): what goes, when, and how.

Every rule takes ``now`` (the clock), so tests move it; the worker runs ``purge`` nightly
(backend/housekeeping.py) and ``fsc purge --dry-run`` shows what would go without changing a row.

- login sessions (citizen and staff) once ended; rate-limit windows once over;
- push deliveries (which device got which notice) after FSC_PUSH_DELIVERY_KEEP_DAYS;
- job history (pgqueuer's log and statistics; its log holds tracebacks) after FSC_JOB_HISTORY_KEEP_DAYS;
- the access log (audit_log) after FSC_AUDIT_LOG_KEEP_DAYS (5 years), only through the database's
  purge_audit_log function (migration 0018), never younger than one year;
- a citizen whose grants all ended more than FSC_CITIZEN_KEEP_DAYS ago is anonymised: name,
  address, phone and CPR hash go (from their orders' delivery addresses too), their logins, devices,
  preferences, callbacks, powers of attorney and invitations are deleted, change-request notes
  blanked, helpers known only through them forgotten; the citizen row, grants, orders and order
  lines stay for the payers' accounts.
"""

from __future__ import annotations

import datetime as dt
import secrets

import asyncpg

from backend.settings import Settings

DUE_CITIZENS_SQL = """
SELECT c.id FROM citizen c
 WHERE c.anonymised_at IS NULL
   AND EXISTS (SELECT 1 FROM grant_ g WHERE g.citizen_id = c.id)
   AND NOT EXISTS (SELECT 1 FROM grant_ g WHERE g.citizen_id = c.id AND (g.valid_to IS NULL OR g.valid_to >= $1))
 ORDER BY c.id"""

# (what, SQL counting it, SQL removing it); $1 is the cutoff time of that rule.
RULES: dict[str, tuple[str, str]] = {
    "sessions": ("SELECT count(*) FROM session WHERE expires_at <= $1 OR idle_expires_at <= $1",
                 "DELETE FROM session WHERE expires_at <= $1 OR idle_expires_at <= $1"),
    "staff_sessions": ("SELECT count(*) FROM staff_session WHERE expires_at <= $1 OR idle_expires_at <= $1",
                       "DELETE FROM staff_session WHERE expires_at <= $1 OR idle_expires_at <= $1"),
    "rate_limit_windows": ("SELECT count(*) FROM rate_limit WHERE window_start < $1::timestamptz - make_interval(secs => window_s)",
                           "DELETE FROM rate_limit WHERE window_start < $1::timestamptz - make_interval(secs => window_s)"),
    "push_deliveries": ("SELECT count(*) FROM push_delivery WHERE sent_at < $1",
                        "DELETE FROM push_delivery WHERE sent_at < $1"),
    "job_history": ("SELECT count(*) FROM pgqueuer_log WHERE created < $1",
                    "DELETE FROM pgqueuer_log WHERE created < $1"),
    "job_statistics": ("SELECT count(*) FROM pgqueuer_statistics WHERE created < $1",
                       "DELETE FROM pgqueuer_statistics WHERE created < $1"),
    "audit_log": ("SELECT count(*) FROM audit_log WHERE at < $1",
                  "SELECT purge_audit_log($1)"),
}


def cutoffs(settings: Settings, now: dt.datetime) -> dict[str, dt.datetime]:
    days = dt.timedelta(days=1)
    return {"sessions": now, "staff_sessions": now, "rate_limit_windows": now,
            "push_deliveries": now - settings.push_delivery_keep_days * days,
            "job_history": now - settings.job_history_keep_days * days,
            "job_statistics": now - settings.job_history_keep_days * days,
            "audit_log": now - settings.audit_log_keep_days * days}


def citizen_cutoff(settings: Settings, now: dt.datetime) -> dt.date:
    """Grants that ended before this day count as "ended more than the period ago"."""
    return (now - dt.timedelta(days=settings.citizen_keep_days)).date()


async def plan(conn: asyncpg.Connection, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """What a purge at ``now`` would remove (or anonymise), by kind; changes nothing."""
    due = cutoffs(settings, now)
    counts = {name: await conn.fetchval(count_sql, due[name]) for name, (count_sql, _) in RULES.items()}
    counts["citizens_to_anonymise"] = len(await conn.fetch(DUE_CITIZENS_SQL, citizen_cutoff(settings, now)))
    return counts


async def purge(conn: asyncpg.Connection, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """Remove what is due at ``now``; each rule in a transaction of its own. Returns the counts."""
    due = cutoffs(settings, now)
    done: dict[str, int] = {}
    for name, (_, remove_sql) in RULES.items():
        async with conn.transaction():
            if name == "audit_log":
                # The database never purges entries younger than a year (whatever clock we pass).
                cutoff = min(due[name], await conn.fetchval("SELECT now() - interval '1 year'"))
                done[name] = await conn.fetchval(remove_sql, cutoff)
            else:
                done[name] = int((await conn.execute(remove_sql, due[name])).rsplit(" ", 1)[-1])
    citizens = [row["id"] for row in await conn.fetch(DUE_CITIZENS_SQL, citizen_cutoff(settings, now))]
    for citizen_id in citizens:
        await anonymise_citizen(conn, citizen_id, now)
    done["citizens_to_anonymise"] = len(citizens)
    return done


async def anonymise_citizen(conn: asyncpg.Connection, citizen_id: int, now: dt.datetime) -> None:
    async with conn.transaction():
        old_hash = await conn.fetchval("SELECT cpr_hash FROM citizen WHERE id = $1 FOR UPDATE", citizen_id)
        helpers = [r["person_id"] for r in await conn.fetch(
            "SELECT DISTINCT person_id FROM power_of_attorney WHERE citizen_id = $1", citizen_id)]
        # Helpers' sessions acting for this citizen go first (they point at the powers).
        await conn.execute("DELETE FROM session WHERE acting_for_power_id IN "
                           "(SELECT id FROM power_of_attorney WHERE citizen_id = $1)", citizen_id)
        for table in ("session", "push_subscription", "push_preference", "delivery_preference", "temporary_address",
                      "reminder_sent", "callback", "power_invitation", "power_of_attorney"):
            await conn.execute(f"DELETE FROM {table} WHERE citizen_id = $1", citizen_id)  # noqa: S608 - fixed names
        # The payer's casework stays (what was asked for and decided), the free text goes; a refusal
        # must name a reason (migration 0016), so it keeps a dash.
        await conn.execute("UPDATE change_request SET note = '', decision_note = CASE WHEN status = 'rejected' "
                           "THEN '-' ELSE '' END WHERE citizen_id = $1", citizen_id)
        # The intake's content hash covers the CPR hash, name, address and phone (backend/intake/plan.py):
        # with the key it could confirm who this was. A resent create for the reference now gets a 409.
        await conn.execute("UPDATE grant_ SET content_hash = NULL WHERE citizen_id = $1 AND content_hash IS NOT NULL",
                           citizen_id)
        await conn.execute("UPDATE order_ SET recipient_name = '', street = '', postcode = '', city = '', "
                           "driver_note = '' WHERE citizen_id = $1", citizen_id)
        # The CPR hash becomes random: the person can no longer be found, the unique index holds.
        await conn.execute("UPDATE citizen SET cpr_hash = $2, name = '', street = '', postcode = '', city = '', "
                           "phone = NULL, stoma_since = NULL, birth_year = NULL, anonymised_at = $3 WHERE id = $1",
                           citizen_id, secrets.token_bytes(32), now)
        person = await conn.fetchval("SELECT id FROM person WHERE cpr_hash = $1", old_hash)
        if person is not None:
            await forget_person(conn, person)
        for helper in helpers:
            # A helper who helps nobody else and is no citizen themself is known here only through
            # this citizen: forget them too (the access log keeps the bare id for its own period).
            if not await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM power_of_attorney WHERE person_id = $1) OR EXISTS "
                    "(SELECT 1 FROM citizen c JOIN person p ON p.cpr_hash = c.cpr_hash WHERE p.id = $1)", helper):
                await forget_person(conn, helper)


async def forget_person(conn: asyncpg.Connection, person_id: int) -> None:
    await conn.execute("DELETE FROM session WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM push_subscription WHERE person_id = $1", person_id)
    await conn.execute("UPDATE person SET cpr_hash = $2, name = '' WHERE id = $1", person_id, secrets.token_bytes(32))
