"""Session and login queries."""

from __future__ import annotations

import datetime as dt

import asyncpg


async def select_viewer(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> asyncpg.Record | None:
    """The session's citizen (if any) and person (if any); both by primary key."""
    return await conn.fetchrow(
        """SELECT s.token_hash, c.id AS citizen_id, coalesce(c.name, p.name) AS name, c.language,
                  s.person_id, s.login_method
             FROM session s LEFT JOIN citizen c ON c.id = s.citizen_id LEFT JOIN person p ON p.id = s.person_id
            WHERE s.token_hash = $1 AND s.expires_at > now()""",
        token_hash,
    )


async def insert_session(conn: asyncpg.Connection, token_hash: bytes, citizen_id: int, lifetime: dt.timedelta) -> None:
    await conn.execute(
        "INSERT INTO session (token_hash, citizen_id, expires_at) VALUES ($1, $2, now() + $3)",
        token_hash, citizen_id, lifetime,
    )


async def delete_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute("DELETE FROM session WHERE token_hash = $1", token_hash)


async def delete_expired_sessions(conn: asyncpg.Connection) -> int:
    status = await conn.execute("DELETE FROM session WHERE expires_at <= now()")
    return int(status.rsplit(" ", 1)[-1])


async def select_demo_citizen(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name FROM citizen WHERE id = $1 AND is_demo", citizen_id)


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


async def insert_person_session(conn: asyncpg.Connection, token_hash: bytes, person_id: int,
                                citizen_id: int | None, lifetime: dt.timedelta) -> None:
    await conn.execute(
        """INSERT INTO session (token_hash, person_id, citizen_id, login_method, expires_at)
           VALUES ($1, $2, $3, 'oidc', now() + $4)""",
        token_hash, person_id, citizen_id, lifetime,
    )
