"""A one-time message across a redirect (post/redirect/get): a refused form POST redirects to the
page it belongs to and that page shows why, so the address bar never stays on a POST-only URL.

The message travels in a short-lived cookie signed with the secret key (HMAC-SHA256), so nobody
else can put words on our pages; the page that shows it clears it. Full pages only: an htmx
fragment (e.g. the tracking poll) neither shows nor clears it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from litestar import Request
from litestar.datastructures import Cookie

FLASH_COOKIE = "fsc_flash"
MAX_AGE_S = 120
_LEVELS = ("error", "info", "success")


def _sign(secret: str, data: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), b"flash." + data, hashlib.sha256).digest()[:18]).decode()


def cookie(request: Request, message: str, level: str = "error") -> Cookie:
    settings = request.app.state.settings
    data = base64.urlsafe_b64encode(json.dumps([level, message[:500]]).encode()).decode()
    return Cookie(key=FLASH_COOKIE, value=f"{data}.{_sign(settings.secret_key, data.encode())}", path="/",
                  httponly=True, samesite="lax", secure=settings.cookie_secure, max_age=MAX_AGE_S)


def cleared(request: Request) -> Cookie:
    settings = request.app.state.settings
    return Cookie(key=FLASH_COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)


def read(request: Request) -> tuple[str, str] | None:
    """(level, message) from the request's flash cookie, or None (absent, tampered, malformed)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or len(raw) > 1500:
        return None
    data, _, signature = raw.partition(".")
    expected = _sign(request.app.state.settings.secret_key, data.encode("ascii", "replace"))
    if not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode()):
        return None
    try:
        level, message = json.loads(base64.urlsafe_b64decode(data.encode("ascii")))
    except (ValueError, TypeError):
        return None
    if level not in _LEVELS or not isinstance(message, str):
        return None
    return level, message

