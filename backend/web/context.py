"""Per-request context: who is signed in (from the session cookie) and which language to speak.

Runs as ASGI middleware on every routed request. Static files, the service worker and health
checks skip the database lookup. A malformed or unknown session cookie simply means "signed out".
A MitID person without grants gets ``state["person"]`` and no viewer. On the staff console (/fsc…) the staff session is loaded instead (its cookie is only sent there);
the citizen session is looked up there only when there is no staff session, so the staff guard
can refuse a citizen. Either way: one query per request, and a second one at most once a minute
per session to record its use (the idle clock; backend/auth/queries.py). A session that was idle
too long or is past its lifetime is not found (signed out: the guards send to the login page);
housekeeping deletes ended rows.
"""

from __future__ import annotations

import time

from litestar.types import ASGIApp, Receive, Scope, Send

from backend import i18n
from backend.auth import queries
from backend.auth.models import SignedInPerson, Viewer
from backend.auth.sessions import LANGUAGE_COOKIE, SESSION_COOKIE, token_hash
from backend.db.pool import discard_if_broken
from backend.metrics import POOL_WAIT_SECONDS
from backend.staff.models import StaffViewer
from backend.staff.queries import select_staff_viewer, touch_staff_session
from backend.staff.sessions import STAFF_COOKIE

_NO_SESSION_PREFIXES = ("/static/", "/sw.js", "/manifest.webmanifest", "/healthz", "/readyz", "/api/")


def read_cookies(scope: Scope) -> dict[str, str]:
    """The Cookie header as ``name -> value`` (RFC 6265 pairs; the first of a repeated name wins,
    surrounding double quotes are dropped; a piece without "=" is ignored). Our own cookies are
    plain tokens, so nothing needs unescaping; anything odd simply matches no session."""
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for piece in value.decode("latin-1").split(";"):
                key, sep, val = piece.partition("=")
                if sep:
                    val = val.strip()
                    if len(val) > 1 and val[0] == val[-1] == '"':
                        val = val[1:-1]
                    cookies.setdefault(key.strip(), val)
    return cookies


def header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return value.decode("latin-1")
    return None


def language_for(scope: Scope, cookies: dict[str, str], viewer: Viewer | None, default: str) -> str:
    return i18n.pick_language(
        viewer.language if viewer else None,
        cookies.get(LANGUAGE_COOKIE),
        accept_language=header(scope, b"accept-language"),
        default=default,
    )


def is_staff_path(path: str) -> bool:
    return path == "/fsc" or path.startswith("/fsc/")


async def load_viewer(conn, hashed: bytes) -> tuple[Viewer | None, SignedInPerson | None]:
    """(the citizen, the person) of a citizen-side session; a MitID person without grants has no Viewer."""
    row = await queries.select_viewer(conn, hashed)
    if row is None:
        return None, None
    if row["stale"]:  # at most once a minute per session: the idle clock starts again
        await queries.touch_session(conn, hashed)
        if row["helped_id"] is not None:  # the citizen sees their helper's last activity ("Mine hjælpere")
            await queries.touch_power(conn, row["acting_for_power_id"])
    person = SignedInPerson(hashed, row["person_id"], row["citizen_id"], row["name"], row["login_method"] == "oidc",
                            has_powers=row["has_powers"],
                            power_ended=row["acting_for_power_id"] is not None and row["helped_id"] is None)
    if row["acting_for_power_id"] is not None:
        if row["helped_id"] is None:  # the power ended: no viewer, the citizen pages refuse (access.py)
            return None, person
        # A helper: the helped citizen's data, the helper as the actor, the power's scopes.
        return Viewer(hashed, row["helped_id"], row["helped_name"], row["language"] or "", actor_kind="relative",
                      actor_id=row["person_id"], scopes=frozenset(row["helped_scopes"])), person
    if row["citizen_id"] is None:
        return None, person
    return Viewer(hashed, row["citizen_id"], row["name"], row["language"]), person


async def load_staff(conn, hashed: bytes) -> StaffViewer | None:
    row = await select_staff_viewer(conn, hashed)
    if row is None:
        return None
    if row["stale"]:
        await touch_staff_session(conn, hashed)
    return StaffViewer(hashed, row["staff_id"], row["name"], row["role"], row["login_method"] == "oidc",
                       row["authority_id"], row["authority_name"])


def _hashed(cookies: dict[str, str], name: str) -> bytes | None:
    token = cookies.get(name)
    return token_hash(token) if token else None


class RequestContextMiddleware:
    """Load the viewer (or staff member) from the session and set the language for this request.

    When there is a session, one pooled connection serves the whole request: the session lookup
    here and the handler's queries (provide_db reuses it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        state = scope.setdefault("state", {})
        state["viewer"] = state["staff"] = state["person"] = None
        path = scope["path"]
        cookies = read_cookies(scope)
        no_session = path.startswith(_NO_SESSION_PREFIXES)
        citizen_hash = None if no_session else _hashed(cookies, SESSION_COOKIE)
        staff_hash = _hashed(cookies, STAFF_COOKIE) if not no_session and is_staff_path(path) else None
        if citizen_hash is None and staff_hash is None:
            await self._call(scope, receive, send, litestar_app, cookies)
            return
        waiting = time.perf_counter()
        async with litestar_app.state.pool.acquire() as conn:
            POOL_WAIT_SECONDS.observe(time.perf_counter() - waiting)
            try:
                if staff_hash is not None:
                    state["staff"] = await load_staff(conn, staff_hash)
                if state["staff"] is None and citizen_hash is not None:
                    state["viewer"], state["person"] = await load_viewer(conn, citizen_hash)
            except BaseException as exc:  # the error page (503 when the database is away) follows
                discard_if_broken(conn, exc)
                raise
            state["db"] = conn
            try:
                await self._call(scope, receive, send, litestar_app, cookies)
            finally:
                del state["db"]

    async def _call(self, scope: Scope, receive: Receive, send: Send, litestar_app, cookies: dict[str, str]) -> None:
        language = language_for(scope, cookies, scope["state"]["viewer"], litestar_app.state.settings.default_language)
        reset = i18n.current_language.set(language)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_language.reset(reset)
