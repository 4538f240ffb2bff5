"""Floors for bench/floor.py: the home page with everything but its essential work taken away.

Served like the app and the baseline (granian, same workers), this litestar + asyncpg app answers:
- ``/render``: the baseline's ``SELECT 1``, then the real home page template rendered with a
  context loaded once at start-up, compressed as the app compresses pages (brotli quality 1).
  What any Jinja-rendered home page of this size costs, with no data of its own.
- ``/``: the real home page work and nothing else: the session cookie's lookup, the citizen
  with grants (one query, as the app), the grant rules, the same template, brotli. No guard,
  dependency injection, CSRF middleware, security headers or exception handling.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import brotli
from litestar import Litestar, Request, Response, get

from backend.auth.models import Viewer
from backend.auth.sessions import token_hash
from backend.db.pool import create_pool
from backend.grants.routes import home_values
from backend.web.context import load_viewer
from backend.web.deps import local_today
from backend.web.templating import environments, outbox_owner

SECRET = os.environ.get("FSC_SECRET_KEY", "")
TEMPLATE = environments["da"].get_template("home.html")


def compressed(body: str) -> Response[bytes]:
    return Response(brotli.compress(body.encode(), quality=1, lgwin=18), media_type="text/html",
                    headers={"Content-Encoding": "br", "Cache-Control": "no-store"})


async def page_context(conn: asyncpg.Connection, viewer: Viewer, person: Any = None) -> dict[str, Any]:
    """The values the real home page renders with (templating.base_context + grants.routes.home_values)."""
    return {"lang": "da", "csrf_token": "x" * 64, "viewer": viewer, "staff": None, "person": person,
            "outbox_owner": outbox_owner(SECRET, viewer.citizen_id, viewer.helper_person_id), "path": "/",
            "query": "", "demo_login": False, "service_phone": "70 00 00 00", "service_email": "fsc@example.org",
            "flash": None, "inline_css": None, **await home_values(conn, viewer.citizen_id, local_today())}


def create_floor() -> Litestar:
    dsn = os.environ["FSC_DATABASE_URL"]
    canned: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.pool = await create_pool(dsn, min_size=2, max_size=10)
        async with app.state.pool.acquire() as conn:
            viewer, person = await load_viewer(conn, token_hash("bench-session-00000001"))
            canned.update(await page_context(conn, viewer, person))
        try:
            yield
        finally:
            await app.state.pool.close()

    @get("/render")
    async def render_only() -> Response[bytes]:
        async with app.state.pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
        return compressed(TEMPLATE.render(**canned))

    @get("/")
    async def home(request: Request) -> Response[bytes]:
        token = request.cookies.get("fsc_session", "")
        async with app.state.pool.acquire() as conn:
            viewer, person = await load_viewer(conn, token_hash(token) or b"")
            if viewer is None:
                return Response(b"", status_code=401)
            context = await page_context(conn, viewer, person)
        return compressed(TEMPLATE.render(**context))

    app = Litestar(route_handlers=[render_only, home], lifespan=[lifespan])
    return app
