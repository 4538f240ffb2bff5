"""CSRF protection bound to the session, and a refusal of cross-origin state changes.

Signed in, the token is derived from the session: HMAC(secret, session id hash). A new session at
every login means a new token at every login, and a token works only with the session it was made
for: neither a token from before the login nor an attacker's own cookie-and-token pair is accepted
beside the victim's session. Signed out (the login and language forms), a double-submit cookie
(random value + HMAC, ``fsc_csrf``) is used as before.

A state-changing request whose ``Origin`` names another site is refused before the token is looked
at: browsers send ``Origin`` on every cross-site POST, so this stops a forged form even where a
token could leak.

Runs as ASGI middleware after the request context (backend/web/context.py) has loaded the session.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from urllib.parse import urlsplit

from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.web.context import header, read_cookies

log = logging.getLogger(__name__)

CSRF_COOKIE = "fsc_csrf"
CSRF_HEADER = b"x-csrftoken"
CSRF_FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Exempt: static files and health checks (no state changes), the partner webhook (HMAC-signed), the
# grant intake API (an API key in the Authorization header, never a cookie) and
# the service worker's push re-subscription (proven by the old subscription's auth secret).
CSRF_EXEMPT = re.compile(r"^/static/|^/sw\.js$|^/manifest\.webmanifest$|^/healthz$|^/readyz$"
                         r"|^/api/v1/warehouse/|^/api/v1/grants(/|$)|^/notifications/subscriptions/renew$")
_ANONYMOUS_TOKEN = re.compile(r"[0-9a-f]{128}")
_SESSION_TOKEN = re.compile(r"[0-9a-f]{64}")
_SESSION_COOKIES = ("fsc_session", "fsc_staff_session")


def csrf_secret(secret_key: str) -> bytes:
    return hashlib.sha256(b"csrf:" + secret_key.encode()).hexdigest().encode()


def session_token(secret: bytes, session_hash: bytes) -> str:
    """The CSRF token of one session (64 hex digits; ``session_hash`` is the stored hash of the id)."""
    return hmac.new(secret, b"session:" + session_hash, hashlib.sha256).hexdigest()


def new_anonymous_token(secret: bytes) -> str:
    random_part = secrets.token_hex(32)
    return random_part + hmac.new(secret, random_part.encode(), hashlib.sha256).hexdigest()


def _valid_anonymous(secret: bytes, token: str | None) -> bool:
    if token is None or not _ANONYMOUS_TOKEN.fullmatch(token):
        return False
    expected = hmac.new(secret, token[:64].encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(token[64:], expected)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape"))


def bound_session_hash(scope: Scope) -> bytes | None:
    """The session this request is signed in with: the staff session on /fsc, else the citizen's
    (or a signed-in person's without a citizen record)."""
    state = scope.get("state", {})
    for key in ("staff", "viewer", "person"):
        who = state.get(key)
        if who is not None:
            return who.session_hash
    return None


def _carries_session(scope: Scope) -> bool:
    cookies = read_cookies(scope)
    return any(cookies.get(name) for name in _SESSION_COOKIES)


def foreign_origin(scope: Scope) -> str | None:
    """The ``Origin`` of a request from another site (None when absent or our own host)."""
    origin = header(scope, b"origin")
    if origin is None:
        return None
    host = header(scope, b"host") or ""
    try:
        netloc = urlsplit(origin).netloc if origin != "null" else "null"
    except ValueError:
        return origin
    return None if netloc and netloc.lower() == host.lower() else origin


class SessionCSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or CSRF_EXEMPT.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        settings = litestar_app.state.settings
        secret = litestar_app.state.csrf_secret
        state = scope.setdefault("state", {})
        session_hash = bound_session_hash(scope)
        cookie = read_cookies(scope).get(CSRF_COOKIE)
        anonymous_ok = _valid_anonymous(secret, cookie)

        if scope["method"] in SAFE_METHODS:
            if session_hash is not None:
                state["csrf_token"] = session_token(secret, session_hash)
                await self.app(scope, receive, send)
                return
            token = state["csrf_token"] = cookie if anonymous_ok else new_anonymous_token(secret)
            await self.app(scope, receive, send if anonymous_ok else _setting_cookie(send, settings, token))
            return

        if (origin := foreign_origin(scope)) is not None:
            log.warning("refused a %s to %r from a foreign origin %r", scope["method"], scope["path"], origin)
            raise PermissionDeniedException("cross-origin request refused")
        submitted = header(scope, CSRF_HEADER)
        if submitted is None:
            request = litestar_app.request_class(scope=scope, receive=receive)
            if request.content_type[0] in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
                value = (await request.form()).get(CSRF_FIELD)
                submitted = value if isinstance(value, str) else None
        if submitted is None:
            raise PermissionDeniedException("CSRF token missing")
        if session_hash is None and _SESSION_TOKEN.fullmatch(submitted) and _carries_session(scope):
            # A page from a session that has since ended (idle timeout, logout elsewhere): sign in
            # again and come back, rather than a bare refusal.
            raise NotAuthorizedException("session ended")
        if session_hash is not None:
            valid = _same(submitted, session_token(secret, session_hash))
        else:
            valid = anonymous_ok and _same(submitted, cookie)
        if not valid:
            raise PermissionDeniedException("CSRF token verification failed")
        state["csrf_token"] = submitted
        await self.app(scope, receive, send)


def _setting_cookie(send: Send, settings, token: str) -> Send:
    header = Cookie(key=CSRF_COOKIE, value=token, path="/", httponly=True, samesite="lax",
                    secure=settings.cookie_secure).to_header(header="").encode("latin-1")

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (b"set-cookie", header)]
        await send(message)

    return wrapped
