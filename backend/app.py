"""create_app(settings) -> Litestar: routes, middleware, security and the database pool lifespan."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from backend.auth.routes import AuthController
from backend.callbacks.routes import CallbackController
from backend.db.migrate import check_schema
from backend.db.pool import create_pool
from backend.grants.routes import HomeController
from backend.delivery.routes import DeliveryController
from backend.orders.routes import OrderController
from backend.push import routes as push_routes
from backend.warehouse.routes import WarehouseEventsController
from backend.settings import Settings, load_settings
from backend.staff.routes import STAFF_CONTROLLERS
from backend.web import pwa
from backend.web.context import RequestContextMiddleware
from backend.web.deps import provide_db
from backend.web.errors import exception_handlers
from backend.web.input_limits import BODY_LIMITS, MAX_FIELDS, InputLimitMiddleware
from backend.web.security import add_security_headers
from backend.web import static

log = logging.getLogger(__name__)

# Exempt: static files and health checks (no state changes), the partner webhook (HMAC-signed) and
# the service worker's push re-subscription (proven by the old subscription's auth secret).
CSRF_EXEMPT = ["^/static/", "^/sw.js$", "^/manifest.webmanifest$", "^/healthz$", "^/readyz$",
               "^/api/v1/warehouse/", "^/notifications/subscriptions/renew$"]


def create_app(settings: Settings, *, database_url: str | None = None) -> Litestar:
    """Build the web app. ``database_url`` overrides the settings (the dev command passes the embedded one)."""
    dsn = database_url or settings.database_url
    if not dsn:
        raise RuntimeError("no database: set FSC_DATABASE_URL or start through `fsc dev`/`fsc serve`")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        pool = await create_pool(dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        try:
            async with pool.acquire() as conn:
                pending = await check_schema(conn)
            if pending:
                raise RuntimeError(f"database schema is behind: run `fsc migrate` ({len(pending)} pending)")
            app.state.pool = pool
            yield
        finally:
            await pool.close()

    csrf_secret = hashlib.sha256(b"csrf:" + settings.secret_key.encode()).hexdigest()
    return Litestar(
        route_handlers=[
            HomeController,
            OrderController,
            DeliveryController,
            *push_routes.routes,
            WarehouseEventsController,
            AuthController,
            CallbackController,
            *STAFF_CONTROLLERS,
            *pwa.routes,
            *static.routes,
        ],
        dependencies={"db": Provide(provide_db)},
        # Bodies are bounded and checked before anything parses them (backend.web.input_limits);
        # litestar's own limit stays as a second fence at the same size.
        middleware=[InputLimitMiddleware, RequestContextMiddleware],
        request_max_body_size=max(BODY_LIMITS.values()), multipart_form_part_limit=MAX_FIELDS,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        csrf_config=CSRFConfig(
            secret=csrf_secret, cookie_name="fsc_csrf", cookie_httponly=True, cookie_samesite="lax",
            cookie_secure=settings.cookie_secure, exclude=CSRF_EXEMPT,
        ),
        # Pages are compressed per request: brotli quality 1 makes a ~9 KB page ~2.9 KB in ~30 µs
        # (quality 4: ~2.5 KB in ~90 µs); a 256 KB window is ample. Static files are compressed
        # once, at the best ratio (backend.web.static).
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=500,
                                             brotli_quality=1, brotli_lgwin=18, exclude=["^/static/"]),
        before_send=[add_security_headers],
        exception_handlers=exception_handlers,
        openapi_config=OpenAPIConfig(title="Fælles Bestilling API", version="1", path="/api/docs"),
    )


def app_from_env() -> Litestar:
    """Factory for the production server (``granian --factory backend.app:app_from_env``)."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(settings)
