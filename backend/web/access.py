"""Who may use a route: every route handler declares it, and one app-wide guard enforces it.

A handler declares ``opt={"access": KIND}`` on its decorator, or a Controller (or Router) declares
``opt = {"access": KIND}`` once for all its handlers (litestar merges ``opt`` from the app down to the
handler; the handler's own value wins). The Litestar app itself never declares one: a default there
would make every forgotten route reachable. A route without a valid declaration is refused (403)
and logged as an error, so forgetting it fails closed, and tests/integration/test_access_declarations.py
fails before it ships.

Kinds:
  public      anyone (login pages, static files, the service worker, health checks, API docs)
  person      a signed-in person (MitID), citizen or not (``state["person"]``, or a citizen viewer)
  citizen     a signed-in citizen (``state["viewer"]``); a staff cookie alone does not count
  staff       a signed-in FSC staff member: advisor or supervisor (a citizen cookie on /fsc/… gets 403;
              a caseworker gets 403 too: they are the authorities' staff, not FSC's)
  reports     the reports for payers: a signed-in FSC supervisor (every payer) or caseworker (the
              handler limits a caseworker's figures to their own authority: backend/reports/routes.py)
  supervisor_or_caseworker
              a signed-in FSC supervisor (any authority) or caseworker (the handler fixes the authority
              to their own and refuses another as a caseworker refusal: the grant CSV upload,
              backend/intake/staff_routes.py)
  supervisor  a signed-in FSC supervisor
  caseworker  a signed-in caseworker of one authority (``staff.authority_id``); every query the handler
              runs filters by that authority (backend/casework/access.py), never by the request alone
  partner     a partner system; the handler verifies the HMAC signature itself (it needs the raw body)
  api         an authority's system with its API key (``Authorization: Bearer``, checked against the
              stored hash; ``state["api_client"]``); missing, unknown or revoked → 401 problem details.
              Whether the key's authority may touch the object (403) is the handler's check.

A citizen route also declares what a helper (a relative with power of attorney, acting for the
citizen) needs for it: ``opt={"access": "citizen", "scope": S}`` with S one of SCOPES. A helper
passes only when S is among the scopes of their power; a citizen route without a scope is for the
citizen themself (deny by default). Whether the power is still live is checked by the viewer query
on every request (backend/auth/queries.py), so a revoked or expired power refuses the next request.

Object-level checks (is this order the viewer's own?) stay in the queries: the declaration says who
may call the route, the query says whose rows they may see.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute

from backend.staff.guards import staff_required
from backend.staff.models import CASEWORKER, SUPERVISOR

log = logging.getLogger(__name__)

PUBLIC, PARTNER, API, PERSON, CITIZEN, STAFF, REPORTS = (
    "public", "partner", "api", "person", "citizen", "staff", "reports")
SUPERVISOR_OR_CASEWORKER = "supervisor_or_caseworker"
KINDS = (PUBLIC, PARTNER, API, PERSON, CITIZEN, STAFF, REPORTS, SUPERVISOR_OR_CASEWORKER, SUPERVISOR, CASEWORKER)
"""From least to most demanding (the order decides what litestar's automatic OPTIONS answer needs)."""

SCOPES = ("view", "order", "callbacks", "delivery", "notifications")
"""What a power of attorney may allow: see products and orders, order and cancel, book and move
callbacks, change delivery settings, get the citizen's delivery notices."""

Check = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


class HelperRefused(PermissionDeniedException):
    """403 for a helper: the power does not allow this (``ended``: the power has ended)."""

    def __init__(self, *, ended: bool = False) -> None:
        super().__init__(detail="power of attorney ended" if ended else "not within the power of attorney")
        self.ended = ended


def declared_access(handler: BaseRouteHandler) -> str | None:
    """The handler's declared kind (after litestar merged opt from its layers), or None when missing/unknown
    (or when it declares a helper scope that does not exist, or a scope on a route that is not a citizen's)."""
    kind = handler.opt.get("access")
    if "scope" in handler.opt and (kind != CITIZEN or handler.opt["scope"] not in SCOPES):
        return None
    return kind if kind in KINDS else None


def declared_scope(handler: BaseRouteHandler) -> str | None:
    """The helper scope a citizen route allows, or None: for the citizen themself only."""
    return handler.opt.get("scope")


def _state(connection: ASGIConnection) -> dict:
    return connection.scope.get("state", {})


async def _anyone(_connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    return None


async def _person(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    state = _state(connection)
    if state.get("person") is None and state.get("viewer") is None:
        raise NotAuthorizedException()


async def _citizen(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # The request context loads the staff session only on /fsc…, so a staff cookie never makes a viewer.
    state = _state(connection)
    viewer = state.get("viewer")
    if viewer is None:
        person = state.get("person")
        if person is not None and person.power_ended:
            raise HelperRefused(ended=True)
        raise NotAuthorizedException()
    if viewer.is_helper and handler.opt.get("scope") not in (viewer.scopes or ()):
        raise HelperRefused()


async def _api_key(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    from backend.intake.api_keys import authenticate  # the intake imports web modules; import late

    _state(connection)["api_client"] = await authenticate(connection)


def _staff_check(*roles: str) -> Check:
    guard = staff_required(*roles)
    return lambda connection, _handler: guard(connection, None)  # type: ignore[arg-type]


_CHECKS: dict[str, Check] = {
    PUBLIC: _anyone,
    PARTNER: _anyone,  # the signature covers the exact body bytes: the handler reads and verifies it
    API: _api_key,
    PERSON: _person,
    CITIZEN: _citizen,
    STAFF: _staff_check(),
    REPORTS: _staff_check(SUPERVISOR, CASEWORKER),
    SUPERVISOR_OR_CASEWORKER: _staff_check(SUPERVISOR, CASEWORKER),
    SUPERVISOR: _staff_check(SUPERVISOR),
    CASEWORKER: _staff_check(CASEWORKER),
}


def _shown(kind: object) -> object:
    return kind if kind is None or isinstance(kind, str) else type(kind).__name__


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The app-wide guard: run the check the handler declares; refuse a handler that declares none."""
    kind = declared_access(handler)
    check = _CHECKS.get(kind) if isinstance(kind, str) else None
    if check is None:
        # The route's template and the handler's name only: nothing from the raw request goes into the log.
        log.error("refused %s %s: route handler %s declares no valid access (opt access=%r); see backend/web/access.py",
                  connection.scope.get("method", "?"), connection.scope.get("path_template", "?"),
                  handler.handler_name, _shown(handler.opt.get("access")))
        raise PermissionDeniedException()
    await check(connection, handler)


def is_automatic_options(handler: BaseRouteHandler) -> bool:
    """litestar adds an OPTIONS handler to every path that has none (it answers 204 with ``Allow``)."""
    return handler.handler_name == "options_handler" and set(getattr(handler, "http_methods", ())) == {"OPTIONS"}


def declare_automatic_options(app: Litestar) -> None:
    """Give each automatic OPTIONS handler the most demanding kind declared on its path, so it is
    never more open than the path's own routes (and stays refused when they declare nothing)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        own = [h for h in route.route_handlers if not is_automatic_options(h)]
        declared = [declared_access(h) for h in own]
        scopes = {declared_scope(h) for h in own}
        for handler in route.route_handlers:
            if is_automatic_options(handler) and declared_access(handler) is None and declared and None not in declared:
                handler.opt["access"] = max(declared, key=KINDS.index)
                if handler.opt["access"] == CITIZEN and len(scopes) == 1 and None not in scopes:
                    handler.opt["scope"] = scopes.pop()  # a helper may ask what the path allows only if they may use it


def undeclared_routes(app: Litestar) -> list[str]:
    """Every ``METHOD path (handler)`` in the app's route table without a valid declaration,
    plus the app itself when it carries a default (which would cover forgotten routes)."""
    problems = [f"the app declares a default access {app.opt['access']!r}"] if "access" in app.opt else []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if declared_access(handler) is None:
                methods = sorted(getattr(handler, "http_methods", ())) or ["WEBSOCKET"]
                problems += [f"{method} {route.path} ({handler.handler_name})" for method in methods]
    return problems
