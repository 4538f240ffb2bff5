"""create_app(settings) -> Litestar: routes, middleware, security and the database pool lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from backend.auth.oidc_flow import build_providers
from backend.auth.oidc_routes import CitizenOidcController
from backend.auth.routes import AuthController
from backend.callbacks.controllers import CALLBACK_CONTROLLERS
from backend.casework.advisor_routes import AdvisorChangeRequestController
from backend.casework.caseworker_routes import CaseworkerController
from backend.casework.citizen_routes import ChangeRequestController
from backend.catalog.routes import CatalogueController, product_picture
from backend.citizens.routes import CitizenLookupController
from backend.reports.routes import PayerReportsController
from backend.db.migrate import check_schema
from backend.db.pool import create_pool
from backend.grants.routes import HomeController
from backend.info import routes as info_routes
from backend.transparency import routes as transparency_routes
from backend.logs import configure_logging
from backend.metrics import observe_request, sample_forever
from backend.intake.routes import GrantIntakeController
from backend.intake.staff_routes import INTAKE_STAFF_CONTROLLERS
from backend.delivery.routes import DeliveryController
from backend.orders.routes import OrderController
from backend.powers.routes import routes as power_routes
from backend.push import routes as push_routes
from backend.warehouse.routes import WarehouseEventsController
from backend.settings import Settings, load_settings
from backend.staff.go_live_routes import GoLiveController
from backend.staff.routes import STAFF_CONTROLLERS
from backend.web import pwa
from backend.web.access import PUBLIC, access_guard, declare_automatic_options
from backend.web.context import RequestContextMiddleware
from backend.web.csrf import SessionCSRFMiddleware, csrf_secret
from backend.web.deps import provide_db
from backend.web.errors import exception_handlers
from backend.web.input_limits import BODY_LIMITS, MAX_FIELDS, InputLimitMiddleware
from backend.web.request_log import RequestLog
from backend.web.security import add_security_headers, security_headers_for
from backend.web import static
from backend.web.templating import compile_all_templates
from backend.web.warmup import warm_up

log = logging.getLogger(__name__)

def create_app(settings: Settings, *, database_url: str | None = None) -> Litestar:
    """Build the web app. ``database_url`` overrides the settings (the dev command passes the embedded one)."""
    dsn = database_url or settings.database_url
    if not dsn:
        raise RuntimeError("no database: set FSC_DATABASE_URL or start through `fsc dev`/`fsc serve`")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        compile_all_templates()  # before the first request, not during it
        # Everything with state (pool, OIDC client and its caches) is made here, per start, and the
        # database URL is read from app.state: the test suite starts one built app many times, each
        # time on another database (tests/conftest.py: app_on), instead of paying ~0.3 s for create_app.
        oidc = app.state.oidc = build_providers(settings)
        try:
            pool = await create_pool(app.state.database_url, min_size=settings.db_pool_min,
                                     max_size=settings.db_pool_max)
        except BaseException:
            await oidc.close()
            raise
        try:
            async with pool.acquire() as conn:
                pending = await check_schema(conn, allow_ahead=True)  # a rollout: see backend/db/migrate.py
            if pending:
                raise RuntimeError(f"database schema is behind: run `fsc migrate` ({len(pending)} pending)")
            await warm_up(pool, settings.db_pool_min)
            app.state.pool = pool
            sampler = asyncio.create_task(sample_forever(pool, database=False)) if settings.metrics_port else None
            yield
            if sampler is not None:
                sampler.cancel()
        finally:
            await pool.close()
            await oidc.close()

    app = Litestar(
        route_handlers=[
            HomeController,
            OrderController,
            DeliveryController,
            *push_routes.routes,
            WarehouseEventsController,
            GrantIntakeController,
            AuthController,
            CitizenOidcController,
            *CALLBACK_CONTROLLERS,
            CitizenLookupController,
            ChangeRequestController,
            CaseworkerController,
            AdvisorChangeRequestController,
            PayerReportsController,
            *power_routes,
            *STAFF_CONTROLLERS,
            CatalogueController,
            GoLiveController,
            product_picture,
            *INTAKE_STAFF_CONTROLLERS,
            *pwa.routes,
            *info_routes.routes,
            *transparency_routes.routes,
            *static.routes,
        ],
        dependencies={"db": Provide(provide_db)},
        # Outermost first: bodies are bounded and checked before anything parses them
        # (backend.web.input_limits; litestar's own limit stays as a second fence at the same size),
        # then the session is loaded, then the CSRF token bound to it is checked.
        middleware=[InputLimitMiddleware, RequestContextMiddleware, SessionCSRFMiddleware],
        request_max_body_size=max(BODY_LIMITS.values()), multipart_form_part_limit=MAX_FIELDS,
        lifespan=[lifespan],
        state=State({"settings": settings, "csrf_secret": csrf_secret(settings.secret_key), "database_url": dsn,
                     "security_headers": security_headers_for((settings.oidc_issuer, settings.staff_oidc_issuer))}),
        # Pages are compressed per request: brotli quality 1 makes a ~9 KB page ~2.9 KB in ~30 µs
        # (quality 4: ~2.5 KB in ~90 µs); a 256 KB window is ample. Static files are compressed
        # once, at the best ratio (backend.web.static).
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=500,
                                             brotli_quality=1, brotli_lgwin=18, exclude=["^/static/"]),
        before_send=[add_security_headers],
        exception_handlers=exception_handlers,
        logging_config=None,  # our JSON lines (backend.logs), configured by the process, not litestar's
        # Every route declares who may use it (opt "access"); this guard refuses the ones that do not.
        guards=[access_guard],
        # The API documentation (for the warehouse partner) is public, like the litestar default.
        openapi_config=OpenAPIConfig(title="Fælles Bestilling API", version="1", components=Components(
            security_schemes={"authorityKey": SecurityScheme(
                type="http", scheme="bearer", description="An authority's API key, made at /fsc/api-keys")}),
            openapi_router=Router(
            "/api/docs", route_handlers=[], include_in_schema=False, dto=None, return_dto=None,
            opt={"access": PUBLIC})),
    )
    declare_automatic_options(app)
    # Outside routing, so that every request (a 404 too) gets an id, a log line and its metrics.
    app.asgi_handler = RequestLog(app.asgi_handler, observe=observe_request if settings.metrics_port else None)
    return app


def app_from_env() -> Litestar:
    """Factory for the production server (``granian --factory backend.app:app_from_env``)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
