"""``fsc warehouse-sim``: a separate process that plays the warehouse partner in dev and tests.

It serves the partner's v1 API (OpenAPI at /schema) and, for each accepted pick list, posts a
realistic lifecycle of signed events to the app's webhook (``sim_engine``, ``sim_outbox``).

- POST /v1/pick-lists           202 accepted; 200 with the same acceptance on a repeat (no second
                                lifecycle); 409 when the order id came with another reference
- POST /v1/withdrawals          200 withdrawn (also on a repeat); 409 once picking started; 404
- POST /v1/backorder-decisions  200; 409 when no backorder is waiting for a decision; 404
- GET  /healthz                 200 with counters

Every POST must be signed (``signing``): 401 otherwise. A malformed body: 422 with field errors.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, HTTPException, NotAuthorizedException, NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, Example, Operation, SecurityScheme
from litestar.params import Body

from backend.settings import Settings
from backend.warehouse import examples
from backend.warehouse.protocol import (
    Acceptance,
    BackorderDecision,
    DecisionResult,
    FieldError,
    PickList,
    Problem,
    Withdrawal,
    WithdrawalResult,
    decode,
    field_errors,
)
from backend.warehouse.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify_headers
from backend.warehouse.sim_engine import Refusal, Simulator
from backend.warehouse.sim_outbox import EventOutbox
from backend.web.input import loggable

log = logging.getLogger("fsc.warehouse_sim")

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found", 405: "Method not allowed", 409: "Conflict",
          500: "Internal server error"}
SECURITY = [{"timestamp": [], "signature": []}]


def _example(value: dict[str, Any]) -> Any:
    return Body(examples=[Example(summary="Example", value=value)])


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM_JSON,
                        generate_examples=False)


COMMON_PROBLEMS = {
    401: _problem("Signature missing, malformed, stale or wrong"),
    422: _problem("Malformed body; `errors` lists the offending field"),
}


@dataclass
class SignedOperation(Operation):
    """Litestar documents a 400 for a body it cannot parse; this API answers 422 instead."""

    def __post_init__(self) -> None:
        if self.responses:
            self.responses.pop("400", None)


class MalformedBody(HTTPException):
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(detail=errors[0].message)
        self.errors = errors


async def signed(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a valid signature made with the shared secret (else 401), then a body that decodes
    strictly into the handler's struct (else 422 with field errors). Litestar's own parsing of
    ``data`` is more lenient (it would take "42" for 42); it only runs on bodies that passed here."""
    request: Request = Request(connection.scope, connection.receive)
    body = await request.body()
    try:
        verify_headers(connection.app.state.secrets, request.headers, body)
    except SignatureError as exc:
        raise NotAuthorizedException(detail=f"Bad signature ({exc.reason}): {exc}") from None
    try:
        decode(body, handler.opt["body_type"])
    except msgspec.MsgspecError as exc:
        raise MalformedBody([FieldError(**error) for error in field_errors(exc)]) from None


def _signed(body_type: type[msgspec.Struct]) -> dict[str, Any]:
    return {"guards": [signed], "security": SECURITY, "operation_class": SignedOperation,
            "opt": {"body_type": body_type}}


def _simulator(request: Request) -> Simulator:
    return request.app.state.simulator


class ConflictException(ClientException):
    status_code = 409


@post("/v1/pick-lists", status_code=202, **_signed(PickList),
      responses={200: ResponseSpec(Acceptance, description="Already accepted (same order id and reference)"),
                 409: _problem("The order id was accepted before with another reference"),
                 **COMMON_PROBLEMS})
async def receive_pick_list(request: Request, data: Annotated[PickList, _example(examples.PICK_LIST)]
                            ) -> Response[Acceptance]:
    """Accept a pick list: one order, packed into ONE discreet parcel. Idempotent by order id."""
    result = _simulator(request).accept(data)
    if isinstance(result, Refusal):
        raise ConflictException(detail=f"order {data.order_id} was accepted before with another reference")
    acceptance, is_new = result
    return Response(acceptance, status_code=202 if is_new else 200)


@post("/v1/withdrawals", status_code=200, **_signed(Withdrawal),
      responses={404: _problem("Unknown order"),
                 409: _problem("Too late: picking has started"), **COMMON_PROBLEMS})
async def receive_withdrawal(request: Request, data: Annotated[Withdrawal, _example(examples.WITHDRAWAL)]
                             ) -> WithdrawalResult:
    """Withdraw a cancelled order. Possible until picking starts; a repeat returns the same answer."""
    result = _simulator(request).withdraw(data.order_id)
    if result is Refusal.UNKNOWN_ORDER:
        raise NotFoundException(detail=f"order {data.order_id} is unknown")
    if isinstance(result, Refusal):
        raise ConflictException(detail=f"order {data.order_id} is already being picked and cannot be withdrawn")
    return result


@post("/v1/backorder-decisions", status_code=200, **_signed(BackorderDecision),
      responses={404: _problem("Unknown order"),
                 409: _problem("No backorder is waiting for a decision"), **COMMON_PROBLEMS})
async def receive_backorder_decision(
    request: Request, data: Annotated[BackorderDecision, _example(examples.BACKORDER_DECISION)]
) -> DecisionResult:
    """After ``item_backordered``: ``wait`` for the item (the default), or ``split`` the order (the
    rest ships now as parcel 1, the backordered item later as parcel 2). A repeat is harmless."""
    refusal = _simulator(request).decide(data.order_id, data.decision)
    if refusal is Refusal.UNKNOWN_ORDER:
        raise NotFoundException(detail=f"order {data.order_id} is unknown")
    if refusal is Refusal.CONFLICT:
        raise ConflictException(detail=f"no backorder of order {data.order_id} is waiting for a decision")
    return DecisionResult(order_id=data.order_id, decision=data.decision)


@get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Liveness and counters: orders seen, events delivered, waiting and refused by the app."""
    simulator = _simulator(request)
    outbox = simulator.outbox
    return {"status": "ok", "orders": len(simulator.orders), "pick_lists_received": simulator.pick_lists_received,
            "events_delivered": outbox.delivered,
            "events_pending": outbox.pending, "events_rejected": len(outbox.rejected)}


def problem_response(request: Request, exc: Exception) -> Response[Problem]:
    """Every error as RFC 9457 problem JSON."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    if status == 500:
        log.error("error on %s %s", request.method, loggable(request.url.path), exc_info=exc)
    if isinstance(exc, MalformedBody):
        problem = Problem(title="Malformed body", status=422, detail=detail, errors=exc.errors)
    else:
        problem = Problem(title=TITLES.get(status, "Error"), status=status, detail=detail)
    return Response(problem, status_code=status, media_type=PROBLEM_JSON)


def create_sim_app(settings: Settings) -> Litestar:
    """The simulator's ASGI app; state (orders, outbox, HTTP client) lives for the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as http:
            outbox = EventOutbox(http, settings.warehouse_webhook_url, settings.warehouse_secrets,
                                 first_backoff_s=min(1.0, settings.warehouse_sim_speed))
            app.state.simulator = Simulator(
                outbox,
                speed_s=settings.warehouse_sim_speed,
                failure_rate=settings.warehouse_sim_failure_rate,
                backorder_rate=settings.warehouse_sim_backorder_rate,
                seed=settings.warehouse_sim_seed,
            )
            try:
                yield
            finally:
                await app.state.simulator.aclose()
                await outbox.aclose()

    openapi = OpenAPIConfig(
        title="Warehouse partner API (simulator)",
        version="1.0.0",
        description=(
            "The shared warehouse's API as Fælles Bestilling uses it (v1). Every POST is signed: "
            f"`{TIMESTAMP_HEADER}` (Unix seconds) and `{SIGNATURE_HEADER}: v1=<hex HMAC-SHA256 of "
            "\"{timestamp}.\" + body>` with the shared secret; requests older than 300 s are refused. "
            "See docs/warehouse-api.md for the events the warehouse posts back."
        ),
        path="/schema",
        components=Components(security_schemes={
            "timestamp": SecurityScheme(type="apiKey", name=TIMESTAMP_HEADER, security_scheme_in="header",
                                        description="Unix seconds when the request was signed"),
            "signature": SecurityScheme(type="apiKey", name=SIGNATURE_HEADER, security_scheme_in="header",
                                        description="v1=<hex HMAC-SHA256 over \"{timestamp}.\" + body>"),
        }),
    )
    app = Litestar(
        route_handlers=[receive_pick_list, receive_withdrawal, receive_backorder_decision, healthz],
        lifespan=[lifespan],
        openapi_config=openapi,
        exception_handlers={Exception: problem_response},
        logging_config=None,
        debug=False,
    )
    app.state.secrets = settings.warehouse_secrets
    return app


def run_simulator(settings: Settings) -> None:
    """Serve the simulator on ``settings.host:settings.warehouse_sim_port`` until SIGINT/SIGTERM."""
    import uvicorn

    config = uvicorn.Config(create_sim_app(settings), host=settings.host, port=settings.warehouse_sim_port,
                            log_level="warning", log_config=None, access_log=False, lifespan="on")
    log.info("warehouse simulator on http://%s:%s (%.2fs per step)", settings.host, settings.warehouse_sim_port,
             settings.warehouse_sim_speed)
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its graceful shutdown
        pass
