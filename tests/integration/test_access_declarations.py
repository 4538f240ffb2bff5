"""Every route declares who may use it (backend/web/access.py); a route that does not is refused.

The walker reads the app's own route table, so a route added anywhere (a controller, a plain
handler, a litestar plugin such as the API docs) is checked without editing this file."""

from __future__ import annotations

import logging

from litestar import Litestar, get, post
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.access import KINDS, access_guard, declared_access, undeclared_routes
from tests.conftest import citizen_id_by_cpr, csrf_token, login, make_settings


def test_every_route_in_the_app_declares_who_may_use_it():
    app = create_app(make_settings(), database_url="postgresql://unused/db")
    assert app.guards == [access_guard], "the app-wide access guard is not installed"
    assert undeclared_routes(app) == [], "add opt={'access': KIND} to these routes (KIND one of %s)" % (KINDS,)
    routes = {route.path for route in app.routes}
    assert {"/", "/orders/{order_id:int}", "/fsc/queue", "/api/v1/warehouse/events", "/static/{path:path}",
            "/api/docs/openapi.json"} <= routes  # the walk really covers our routes and litestar's own


PUBLIC_PATHS = {
    "/login", "/login/demo", "/logout", "/language", "/fsc", "/fsc/login", "/fsc/login/demo", "/fsc/logout",
    "/sw.js", "/manifest.webmanifest", "/offline", "/offline/queued", "/offline/queued/busy", "/healthz", "/readyz",
    "/static/{path:path}", "/notifications/subscriptions/renew", "/tilgaengelighed", "/privatliv", "/hjaelp",
    "/login/oidc", "/login/oidc/callback", "/fsc/login/oidc", "/fsc/login/oidc/callback",
    "/products/{product_id:int}/picture",
}
"""What anybody may call. A new public route is a decision a reviewer should see: add it here."""


STAFF_KINDS = ("staff", "reports", "supervisor_or_caseworker", "supervisor", "caseworker")


def test_declarations_agree_with_what_the_handlers_use_and_the_public_surface_is_known():
    app = create_app(make_settings(), database_url="postgresql://unused/db")
    wrong, public = [], set()
    for route in app.routes:
        for handler in route.route_handlers:
            kind, uses = declared_access(handler), set(handler.parsed_fn_signature.parameters)
            if "viewer" in uses and kind not in ("citizen", "person"):
                wrong.append(f"{route.path} ({handler.handler_name}) uses the signed-in citizen but declares {kind}")
            if "staff" in uses and kind not in STAFF_KINDS:
                wrong.append(f"{route.path} ({handler.handler_name}) uses the staff member but declares {kind}")
            if kind == "public" and not route.path.startswith("/api/docs"):
                public.add(route.path)
    assert wrong == []
    assert public == PUBLIC_PATHS


def test_the_walker_flags_an_app_wide_default():
    """A default on the app would silently cover every forgotten route."""

    @get("/anything", sync_to_thread=False)
    def anything() -> str:
        return "x"

    app = Litestar(route_handlers=[anything], opt={"access": "public"})
    assert undeclared_routes(app) == ["the app declares a default access 'public'"]


class Lines(logging.Handler):
    """Collects log lines (litestar's logging set-up replaces the root handlers, so caplog sees nothing)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_an_undeclared_route_is_flagged_and_refused_even_when_signed_in(db_url, db):
    ran: list[str] = []

    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        ran.append("forgotten")
        return "secret"

    @post("/misspelt", opt={"access": "citizens"}, sync_to_thread=False)
    def misspelt() -> str:
        ran.append("misspelt")
        return "secret"

    app = create_app(make_settings(), database_url=db_url)
    assert undeclared_routes(app) == []
    app.register(forgotten)
    app.register(misspelt)
    assert undeclared_routes(app) == ["GET /forgotten (forgotten)", "OPTIONS /forgotten (options_handler)",
                                      "POST /misspelt (misspelt)", "OPTIONS /misspelt (options_handler)"]

    errors = Lines()
    logging.getLogger("backend.web.access").addHandler(errors)
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            anonymous = await client.get("/forgotten", follow_redirects=False)
            await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
            signed_in = await client.get("/forgotten", follow_redirects=False)
            options = await client.options("/forgotten", follow_redirects=False)
            typo = await client.post("/misspelt", data={"_csrf_token": await csrf_token(client)},
                                     follow_redirects=False)
    finally:
        logging.getLogger("backend.web.access").removeHandler(errors)
    for response in (anonymous, signed_in, options, typo):
        assert response.status_code == 403, response.text
        assert "secret" not in response.text and "Ingen adgang" in response.text
    assert ran == []
    assert "refused GET /forgotten: route handler forgotten declares no valid access (opt access=None)" in \
        "\n".join(errors.lines)
    assert any(line.startswith("refused POST /misspelt: route handler misspelt") and "'citizens'" in line
               for line in errors.lines), errors.lines
