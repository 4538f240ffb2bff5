"""Session and login queries."""

from __future__ import annotations

import datetime as dt

import asyncpg

# A session's last use is written at most this often: reading a page must not mean writing a row
# (the idle timeout is therefore exact to within this much).
TOUCH_EVERY = dt.timedelta(minutes=1)


def touch_sql(table: str) -> str:
    """Record a session's use: the idle clock starts again (never past the session's lifetime).

    Committed without waiting for the disk (synchronous_commit off for this statement only, through
    set_config(..., true)): a last use lost in a crash only ends that session a little earlier,
    and waiting for the WAL flush would cost every such request about a millisecond."""
    return f"""UPDATE {table} SET last_seen_at = now(), idle_expires_at = least(now() + idle_timeout, expires_at)
                WHERE token_hash = $1 AND last_seen_at < now() - $2::interval
                  AND set_config('synchronous_commit', 'off', true) = 'off'"""


_TOUCH_SESSION = touch_sql("session")


# A power of attorney is live while not revoked and before its end; checked in the same query
# as the session on every request, so a revocation refuses the very next request.
LIVE_POWER = "pw.revoked_at IS NULL AND (pw.valid_to IS NULL OR pw.valid_to > now())"


async def select_viewer(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> asyncpg.Record | None:
    """The citizen (if any) and the person (if any) of a live session (neither idle too long nor past
    its lifetime), or None; ``stale``: its last recorded use is older than TOUCH_EVERY (see touch_session).

    When the person acts for someone (``acting_for_power_id``): that citizen and the power's scopes
    (``helped_*``, NULL when the power has ended); ``has_powers``: the person may act for someone.
    One statement: a session without a person or a power costs no more than before."""
    return await conn.fetchrow(
        f"""SELECT c.id AS citizen_id, coalesce(c.name, p.name) AS name, c.language, s.person_id, s.login_method,
                  s.last_seen_at < now() - $2::interval AS stale,
                  s.acting_for_power_id, hc.id AS helped_id, hc.name AS helped_name, pw.scopes AS helped_scopes,
                  s.person_id IS NOT NULL AND EXISTS (
                      SELECT 1 FROM power_of_attorney pw WHERE pw.person_id = s.person_id AND {LIVE_POWER}) AS has_powers
             FROM session s LEFT JOIN citizen c ON c.id = s.citizen_id LEFT JOIN person p ON p.id = s.person_id
                  LEFT JOIN power_of_attorney pw ON pw.id = s.acting_for_power_id AND pw.person_id = s.person_id
                                                 AND {LIVE_POWER}
                  LEFT JOIN citizen hc ON hc.id = pw.citizen_id
            WHERE s.token_hash = $1 AND s.expires_at > now() AND s.idle_expires_at > now()""",
        token_hash, TOUCH_EVERY,
    )


async def touch_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute(_TOUCH_SESSION, token_hash, TOUCH_EVERY)


async def touch_power(conn: asyncpg.Connection, power_id: int) -> None:
    await conn.execute("UPDATE power_of_attorney SET last_used_at = now() WHERE id = $1", power_id)


async def insert_session(conn: asyncpg.Connection, token_hash: bytes, citizen_id: int | None, idle: dt.timedelta,
                         lifetime: dt.timedelta, remember: bool, *, person_id: int | None = None,
                         login_method: str = "demo") -> None:
    await conn.execute(
        """INSERT INTO session (token_hash, citizen_id, person_id, login_method, expires_at, last_seen_at,
                                idle_timeout, idle_expires_at, remember)
           VALUES ($1, $2, $6, $7, now() + $4, now(), $3, now() + $3, $5)""",
        token_hash, citizen_id, idle, lifetime, remember, person_id, login_method,
    )


async def delete_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute("DELETE FROM session WHERE token_hash = $1", token_hash)


async def delete_citizen_sessions(conn: asyncpg.Connection, citizen_id: int, person_id: int | None = None) -> int:
    """End every session of ``citizen_id`` (and of the MitID person, if any: log out everywhere);
    returns how many there were."""
    status = await conn.execute("DELETE FROM session WHERE citizen_id = $1 OR person_id = $2", citizen_id, person_id)
    return int(status.rsplit(" ", 1)[-1])


async def delete_expired_sessions(conn: asyncpg.Connection) -> int:
    status = await conn.execute("DELETE FROM session WHERE expires_at <= now() OR idle_expires_at <= now()")
    return int(status.rsplit(" ", 1)[-1])


async def select_demo_citizen(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name FROM citizen WHERE id = $1 AND is_demo", citizen_id)


async def select_demo_person(conn: asyncpg.Connection, person_id: int) -> asyncpg.Record | None:
    """A demo helper, and their own citizen record if they have one (same CPR hash)."""
    return await conn.fetchrow(
        """SELECT p.id, p.name, c.id AS citizen_id FROM person p LEFT JOIN citizen c ON c.cpr_hash = p.cpr_hash
            WHERE p.id = $1 AND p.is_demo""", person_id)


async def person_has_powers(conn: asyncpg.Connection, person_id: int) -> bool:
    return await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM power_of_attorney pw WHERE pw.person_id = $1 AND {LIVE_POWER})", person_id)


async def update_citizen_language(conn: asyncpg.Connection, citizen_id: int, language: str) -> None:
    await conn.execute("UPDATE citizen SET language = $2 WHERE id = $1", citizen_id, language)


async def upsert_person(conn: asyncpg.Connection, cpr_hash: bytes, name: str) -> int:
    """The person with this CPR hash (created at their first MitID login); name and last login refreshed."""
    return await conn.fetchval(
        """INSERT INTO person (cpr_hash, name, last_login_at) VALUES ($1, $2, now())
           ON CONFLICT (cpr_hash) DO UPDATE SET name = EXCLUDED.name, last_login_at = now()
           RETURNING id""",
        cpr_hash, name,
    )


async def select_citizen_by_cpr_hash(conn: asyncpg.Connection, cpr_hash: bytes) -> int | None:
    return await conn.fetchval("SELECT id FROM citizen WHERE cpr_hash = $1", cpr_hash)


