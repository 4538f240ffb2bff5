"""Session cookies: a random token in an HttpOnly, SameSite cookie; only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets

from litestar.datastructures import Cookie

from backend.settings import Settings

SESSION_COOKIE = "fsc_session"
LANGUAGE_COOKIE = "fsc_lang"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes | None:
    """Hash of a cookie value, or None when the value cannot be one of ours (malformed cookie)."""
    if not 20 <= len(token) <= 100 or not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return hashlib.sha256(token.encode("ascii")).digest()


def session_cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value=token, path="/", httponly=True, samesite="lax",
        secure=settings.cookie_secure, max_age=settings.session_hours * 3600,
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)


def language_cookie(settings: Settings, language: str) -> Cookie:
    return Cookie(key=LANGUAGE_COOKIE, value=language, path="/", httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=365 * 24 * 3600)
