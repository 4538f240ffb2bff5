"""A login under way: state, nonce and PKCE verifier in a signed, short-lived cookie bound to this browser.

Kept in the browser rather than the database, so that starting a login (anyone can) writes nothing.
The cookie is HttpOnly and SameSite=Lax (the provider's redirect back is a top-level GET, which carries
it), its path is the login's own path, and it is cleared by the callback whatever the outcome: the
state is single use. The value is HMAC-signed with a key derived from FSC_SECRET_KEY; nothing in it
is secret from the browser that started the login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import msgspec
from litestar.datastructures import Cookie

from backend.settings import Settings

LIFETIME_S = 600
"""Ten minutes to finish the login at the provider."""


class PendingLogin(msgspec.Struct, frozen=True):
    state: str
    nonce: str
    verifier: str
    next: str
    expires: int
    remember: bool = False
    """"Remember me on this phone" was ticked when the login began."""


def _key(settings: Settings, purpose: str) -> bytes:
    return hashlib.sha256(f"oidc-pending:{purpose}:".encode() + settings.secret_key.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_pending(verifier: str, next_path: str, remember: bool = False) -> PendingLogin:
    return PendingLogin(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), verifier=verifier,
                        next=next_path, expires=int(time.time()) + LIFETIME_S, remember=remember)


def pack(settings: Settings, purpose: str, pending: PendingLogin) -> str:
    body = _b64(msgspec.json.encode(pending))
    signature = _b64(hmac.new(_key(settings, purpose), body.encode("ascii"), hashlib.sha256).digest())
    return f"{body}.{signature}"


def unpack(settings: Settings, purpose: str, value: str | None) -> PendingLogin | None:
    """The pending login, or None when the cookie is missing, tampered with, malformed or expired."""
    if not value or len(value) > 2000 or not value.isascii() or value.count(".") != 1:
        return None
    body, signature = value.split(".")
    expected = _b64(hmac.new(_key(settings, purpose), body.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        pending = msgspec.json.decode(_unb64(body), type=PendingLogin)
    except (msgspec.DecodeError, ValueError):
        return None
    return pending if pending.expires > time.time() else None


def pending_cookie(settings: Settings, name: str, path: str, value: str) -> Cookie:
    return Cookie(key=name, value=value, path=path, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=LIFETIME_S)


def cleared_pending_cookie(settings: Settings, name: str, path: str) -> Cookie:
    return Cookie(key=name, value="", path=path, httponly=True, samesite="lax",
                  secure=settings.cookie_secure, max_age=0)
