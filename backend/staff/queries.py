"""Staff accounts, staff sessions and the access log (staff rows in the append-only audit_log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from backend.audit import log_event
from backend.auth.queries import TOUCH_EVERY, touch_sql


_TOUCH_STAFF_SESSION = touch_sql("staff_session")


async def select_staff_viewer(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> asyncpg.Record | None:
    """The active staff member of a live staff session, or None (``stale`` as in select_viewer)."""
    return await conn.fetchrow(
        """SELECT st.id AS staff_id, st.name, st.role, s.login_method, s.last_seen_at < now() - $2::interval AS stale,
                  st.authority_id, coalesce(a.name, '') AS authority_name
             FROM staff_session s JOIN staff st ON st.id = s.staff_id
             LEFT JOIN authority a ON a.id = st.authority_id
            WHERE s.token_hash = $1 AND s.expires_at > now() AND s.idle_expires_at > now() AND st.active""",
        token_hash, TOUCH_EVERY,
    )


async def touch_staff_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute(_TOUCH_STAFF_SESSION, token_hash, TOUCH_EVERY)


async def insert_staff_session(conn: asyncpg.Connection, token_hash: bytes, staff_id: int, idle: dt.timedelta,
                               lifetime: dt.timedelta, login_method: str = "demo") -> bool:
    """A new session for an active staff member; False (nothing written) when deactivated or unknown."""
    status = await conn.execute(
        """INSERT INTO staff_session (token_hash, staff_id, expires_at, last_seen_at, idle_timeout, idle_expires_at,
                                      login_method)
           SELECT $1, id, now() + $4, now(), $3, now() + $3, $5 FROM staff WHERE id = $2 AND active""",
        token_hash, staff_id, idle, lifetime, login_method,
    )
    return status == "INSERT 0 1"


async def select_staff_for_login(conn: asyncpg.Connection, subject: str, email: str) -> asyncpg.Record | None:
    """The account of an organisation login: by the provider's subject, else by an e-mail not yet bound."""
    return await conn.fetchrow(
        """SELECT id, active FROM staff
            WHERE oidc_subject = $1 OR (oidc_subject IS NULL AND lower(email) = lower($2))
            ORDER BY (oidc_subject = $1) DESC NULLS LAST LIMIT 1""",
        subject, email,
    )


async def save_staff_login(conn: asyncpg.Connection, staff_id: int | None, *, subject: str, email: str,
                           name: str, role: str, authority_id: int | None = None) -> int:
    """Create the account at the first login, or refresh it (role, authority, name, subject) at a later one.
    ``authority_id``: a caseworker's authority (None for FSC staff; the table checks the pair)."""
    if staff_id is None:
        return await conn.fetchval(
            """INSERT INTO staff (name, email, role, oidc_subject, last_login_at, authority_id)
               VALUES ($1, $2, $3, $4, now(), $5) RETURNING id""",
            name, email, role, subject, authority_id,
        )
    await conn.execute(
        """UPDATE staff SET name = $2, role = $3, oidc_subject = $4, last_login_at = now(), authority_id = $5
            WHERE id = $1""",
        staff_id, name, role, subject, authority_id,
    )
    return staff_id


async def delete_staff_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute("DELETE FROM staff_session WHERE token_hash = $1", token_hash)


async def delete_expired_staff_sessions(conn: asyncpg.Connection) -> int:
    status = await conn.execute("DELETE FROM staff_session WHERE expires_at <= now() OR idle_expires_at <= now()")
    return int(status.rsplit(" ", 1)[-1])


async def select_demo_staff(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT s.id, s.name, s.role, a.name AS authority_name
             FROM staff s LEFT JOIN authority a ON a.id = s.authority_id
            WHERE s.is_demo AND s.active ORDER BY s.role = 'caseworker', s.role DESC, s.name, s.id"""
    )


async def select_demo_staff_member(conn: asyncpg.Connection, staff_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, name, role FROM staff WHERE id = $1 AND is_demo AND active", staff_id)


async def log_staff_event(conn: asyncpg.Connection, staff_id: int, action: str, *, citizen_id: int | None = None,
                          detail: dict[str, Any] | None = None) -> None:
    await log_event(conn, actor_kind="staff", actor_id=staff_id, citizen_id=citizen_id, action=action, detail=detail)


async def log_citizen_view(conn: asyncpg.Connection, staff_id: int, citizen_id: int, *, view: str,
                           callback_id: int | None, reason: str) -> None:
    """Access log: staff member ``staff_id`` saw ``citizen_id``'s data on ``view`` because of ``reason``."""
    await log_staff_event(conn, staff_id, "staff_viewed_citizen", citizen_id=citizen_id,
                          detail={"view": view, "callback_id": callback_id, "reason": reason})


async def select_access_log(conn: asyncpg.Connection, limit: int = 100) -> list[asyncpg.Record]:
    """The latest staff entries of the audit log, with names."""
    return await conn.fetch(
        """SELECT a.at, a.action, a.detail, st.name AS staff_name, st.role, c.name AS citizen_name
             FROM audit_log a
             LEFT JOIN staff st ON st.id = a.actor_id
             LEFT JOIN citizen c ON c.id = a.citizen_id
            WHERE a.actor_kind = 'staff'
            ORDER BY a.at DESC, a.id DESC
            LIMIT $1""",
        limit,
    )


async def select_authority_id(conn: asyncpg.Connection, code: int) -> int | None:
    """The authority with official code ``code`` (a caseworker's organisation login names it)."""
    return await conn.fetchval("SELECT id FROM authority WHERE code = $1", code)
