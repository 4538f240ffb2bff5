"""Login sessions: a random token in an HttpOnly, SameSite cookie; only its hash is stored.

A session ends after a time without use (idle timeout) and at the latest at the end of its
lifetime; both are fixed per kind at login (citizen, citizen on a remembered phone, staff) from
the settings and stored on the row. ``start_citizen_session`` is the one place a citizen session
begins (demo login, OIDC login); staff sessions begin in backend/staff/sessions.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import asyncpg
import msgspec
from litestar.datastructures import Cookie

from backend.audit import log_event
from backend.auth import queries
from backend.settings import Settings

SESSION_COOKIE = "fsc_session"
LANGUAGE_COOKIE = "fsc_lang"


class SessionPolicy(msgspec.Struct, frozen=True):
    """How long a session of one kind lives: ``idle`` without use, ``lifetime`` at most."""

    idle: dt.timedelta
    lifetime: dt.timedelta


def citizen_policy(settings: Settings, *, remember: bool) -> SessionPolicy:
    if remember:
        return SessionPolicy(dt.timedelta(days=settings.remember_idle_days),
                             dt.timedelta(days=settings.remember_session_days))
    return SessionPolicy(dt.timedelta(minutes=settings.citizen_idle_minutes),
                         dt.timedelta(hours=settings.citizen_session_hours))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes | None:
    """Hash of a cookie value, or None when the value cannot be one of ours (malformed cookie)."""
    if not 20 <= len(token) <= 100 or not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return hashlib.sha256(token.encode("ascii")).digest()


async def start_citizen_session(db: asyncpg.Connection, settings: Settings, citizen_id: int | None,
                                old_token: str | None, *, remember: bool = False, method: str = "demo",
                                person_id: int | None = None, detail: dict | None = None) -> Cookie:
    """Sign a citizen (``citizen_id``) and/or a MitID person (``person_id``; a person without grants
    has no citizen) in: a new session with a new random id, audit-logged; returns its cookie.

    ``old_token`` is the session cookie the browser brought (if any): that session is ended, so an
    id planted in the browser before login is never promoted to a signed-in one."""
    token = new_token()
    policy = citizen_policy(settings, remember=remember)
    async with db.transaction():
        if old_token and (old_hash := token_hash(old_token)):
            await queries.delete_session(db, old_hash)
        await queries.insert_session(db, token_hash(token), citizen_id, policy.idle, policy.lifetime, remember,
                                     person_id=person_id, login_method=method)
        await log_event(db, actor_kind="citizen" if citizen_id else "person", actor_id=citizen_id or person_id,
                        citizen_id=citizen_id, action="login",
                        detail={"method": method, "remember": remember, **(detail or {})})
    return session_cookie(settings, token, policy)


def session_cookie(settings: Settings, token: str, policy: SessionPolicy) -> Cookie:
    """The browser keeps the cookie as long as the session can live at most."""
    return Cookie(
        key=SESSION_COOKIE, value=token, path="/", httponly=True, samesite="lax",
        secure=settings.cookie_secure, max_age=int(policy.lifetime.total_seconds()),
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)


def language_cookie(settings: Settings, language: str) -> Cookie:
    return Cookie(key=LANGUAGE_COOKIE, value=language, path="/", httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=365 * 24 * 3600)
