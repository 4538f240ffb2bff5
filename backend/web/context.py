"""Per-request context: who is signed in (from the session cookie) and which language to speak.

Runs as ASGI middleware on every routed request. Static files, the service worker and health
checks skip the database lookup. A malformed or unknown session cookie simply means "signed out".
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Receive, Scope, Send

from backend import i18n
from backend.auth import queries
from backend.auth.models import Viewer
from backend.auth.sessions import LANGUAGE_COOKIE, SESSION_COOKIE, token_hash

_NO_SESSION_PREFIXES = ("/static/", "/sw.js", "/manifest.webmanifest", "/healthz", "/readyz", "/api/")


def read_cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a broken Cookie header is treated as no cookies
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1")
    return None


def language_for(scope: Scope, viewer: Viewer | None, default: str) -> str:
    cookies = read_cookies(scope)
    return i18n.pick_language(
        viewer.language if viewer else None,
        cookies.get(LANGUAGE_COOKIE),
        accept_language=header(scope, b"accept-language"),
        default=default,
    )


class RequestContextMiddleware:
    """Load the viewer from the session and set the language ContextVar for this request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        state = scope.setdefault("state", {})
        state["viewer"] = None
        token = None if scope["path"].startswith(_NO_SESSION_PREFIXES) else read_cookies(scope).get(SESSION_COOKIE)
        hashed = token_hash(token) if token else None
        if hashed is None:
            await self._call(scope, receive, send, litestar_app)
            return
        # One pooled connection serves the whole request: the session lookup here and the
        # handler's queries (provide_db reuses it).
        async with litestar_app.state.pool.acquire() as conn:
            row = await queries.select_viewer(conn, hashed)
            if row is not None:
                state["viewer"] = Viewer(hashed, row["citizen_id"], row["name"], row["language"])
            state["db"] = conn
            try:
                await self._call(scope, receive, send, litestar_app)
            finally:
                del state["db"]

    async def _call(self, scope: Scope, receive: Receive, send: Send, litestar_app) -> None:
        language = language_for(scope, scope["state"]["viewer"], litestar_app.state.settings.default_language)
        reset = i18n.current_language.set(language)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_language.reset(reset)
