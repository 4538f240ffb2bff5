"""Staff session cookie: its own name and path (/fsc), so it never reaches citizen pages.

The token itself and its hash work like citizen sessions (backend/auth/sessions.py).
"""

from __future__ import annotations

from litestar.datastructures import Cookie

from backend.settings import Settings

STAFF_COOKIE = "fsc_staff_session"
STAFF_COOKIE_PATH = "/fsc"


def staff_cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(key=STAFF_COOKIE, value=token, path=STAFF_COOKIE_PATH, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=settings.session_hours * 3600)


def cleared_staff_cookie(settings: Settings) -> Cookie:
    return Cookie(key=STAFF_COOKIE, value="", path=STAFF_COOKIE_PATH, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)
