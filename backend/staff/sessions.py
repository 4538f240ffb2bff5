"""Staff sessions: their own table, cookie name and path (/fsc), so they never reach citizen pages.

The token and its hash work like citizen sessions (backend/auth/sessions.py); the idle timeout
and lifetime come from the staff settings. ``start_staff_session`` is the one place a staff
session begins (demo login, OIDC login).
"""

from __future__ import annotations

import datetime as dt

import asyncpg
from litestar.datastructures import Cookie

from backend.auth.sessions import SessionPolicy, new_token, token_hash
from backend.settings import Settings
from backend.staff import queries

STAFF_COOKIE = "fsc_staff_session"
STAFF_COOKIE_PATH = "/fsc"


def staff_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(dt.timedelta(minutes=settings.staff_idle_minutes),
                         dt.timedelta(hours=settings.staff_session_hours))


async def start_staff_session(db: asyncpg.Connection, settings: Settings, staff_id: int, old_token: str | None,
                              *, method: str = "demo", detail: dict | None = None) -> Cookie | None:
    """Sign staff member ``staff_id`` in: a new session with a new random id, audit-logged; returns
    its cookie, or None (and nothing written) when the member is deactivated or unknown.

    ``old_token`` is the staff cookie the browser brought (if any): that session is ended, so a
    planted id is never promoted."""
    token = new_token()
    policy = staff_policy(settings)
    async with db.transaction():
        if old_token and (old_hash := token_hash(old_token)):
            await queries.delete_staff_session(db, old_hash)
        if not await queries.insert_staff_session(db, token_hash(token), staff_id, policy.idle, policy.lifetime,
                                                  login_method=method):
            return None
        await queries.log_staff_event(db, staff_id, "staff_login", detail={"method": method, **(detail or {})})
    return staff_cookie(settings, token)


def staff_cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(key=STAFF_COOKIE, value=token, path=STAFF_COOKIE_PATH, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=int(staff_policy(settings).lifetime.total_seconds()))


def cleared_staff_cookie(settings: Settings) -> Cookie:
    return Cookie(key=STAFF_COOKIE, value="", path=STAFF_COOKIE_PATH, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)
