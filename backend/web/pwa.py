"""PWA plumbing: service worker, web app manifest, offline page, health checks."""

from __future__ import annotations

import hashlib
import json
from functools import cache

import asyncpg
from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader

from backend import fonts, i18n
from backend.db.pool import database_unavailable
from backend.i18n import gettext as _
from backend.web.errors import RETRY_AFTER_S
from backend.web.templating import PWA_DIR, asset_url, render

THEME_COLOUR = "#004993"

# The app shell: what the service worker stores at install so the offline page can be shown.
SHELL_ASSETS = (
    "vendor/dkfds/css/dkfds-borgerdk.min.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "js/app.js",
    "icons/icon-192.png",
)


# The service worker's parts, imported by /sw.js (pwa/sw.js says what each does).
SERVICE_WORKER_PARTS = ("sw/shell.js", "sw/outbox.js", "sw/push.js")


@cache
def service_worker_source(vapid_public_key: str = "") -> str:
    """/sw.js: the shell list, the VAPID key and the parts' content-hashed URLs filled in. VERSION
    (which names the caches) is a hash of all of it, so any change installs a new worker."""
    shell = [asset_url(path) for path in SHELL_ASSETS] + list(fonts.precache_urls())
    shell += ["/offline", "/offline/queued", "/offline/queued/busy"]
    parts = [asset_url(path) for path in SERVICE_WORKER_PARTS]
    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8").replace("__VAPID_PUBLIC_KEY__", vapid_public_key)
    source = source.replace("__SHELL__", json.dumps(shell)).replace("__PARTS__", json.dumps(parts))
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    return source.replace("__VERSION__", version)


@get("/sw.js", include_in_schema=False, cache_control=CacheControlHeader(no_cache=True), opt={"access": "public"})
async def service_worker(request: Request) -> Response:
    return Response(
        service_worker_source(request.app.state.settings.vapid_public_key),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/"},
    )


@get("/manifest.webmanifest", include_in_schema=False, cache_control=CacheControlHeader(max_age=3600),
     opt={"access": "public"})
async def manifest() -> Response:
    body = {
        "name": _("Fælles Bestilling – ostomy products"),
        "short_name": "Fælles Bestilling",
        "description": _("Order your granted ostomy products and follow your parcel."),
        "lang": i18n.current_language.get(),
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": asset_url("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return Response(body, media_type="application/manifest+json", headers={"Vary": "Cookie, Accept-Language"})


# The offline pages are stored by the service worker: never show who was signed in when they were
# fetched, and say nobody (outbox_owner None: app.js then tells the worker nothing about who it is).
OFFLINE_CONTEXT = {"viewer": None, "outbox_owner": None}


@get("/offline", name="offline", include_in_schema=False, opt={"access": "public"})
async def offline_page(request: Request) -> Response:
    return render(request, "offline.html", OFFLINE_CONTEXT, block=None)


@get("/offline/queued", name="offline_queued", include_in_schema=False, opt={"access": "public"})
async def offline_queued_page(request: Request) -> Response:
    """Shown by the service worker when an order tapped while offline was kept on the phone."""
    return render(request, "offline_queued.html", {**OFFLINE_CONTEXT, "busy": False}, block=None)


@get("/offline/queued/busy", name="offline_queued_busy", include_in_schema=False, opt={"access": "public"})
async def offline_queued_busy_page(request: Request) -> Response:
    """Shown by the service worker when the server had trouble (5xx) and the order was kept."""
    return render(request, "offline_queued.html", {**OFFLINE_CONTEXT, "busy": True}, block=None)


@get("/healthz", include_in_schema=False, cache_control=CacheControlHeader(no_store=True), opt={"access": "public"})
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False, cache_control=CacheControlHeader(no_store=True), opt={"access": "public"})
async def readyz(request: Request) -> Response:
    """Readiness: the database answers. Meant for start-up and rolling deploys: a balancer that
    takes every web process out of rotation on it shows its own error page during a database
    restart instead of our translated 503 (docs/decisions.md, 2026-11-29)."""
    try:
        async with request.app.state.pool.acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1")
    except Exception as exc:
        if not (database_unavailable(exc) or isinstance(exc, asyncpg.PostgresError)):
            raise
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})
    return Response({"status": "ok", "database": "ok"})


routes = [service_worker, manifest, offline_page, offline_queued_page, offline_queued_busy_page, healthz, readyz]
