"""The signed status webhook for the warehouse and carrier: POST /api/v1/warehouse/events."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar import Controller, Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, RequestBody, Schema

from backend.metrics import count_webhook
from backend.parcels.queries import remember_signature
from backend.orders import attention
from backend.parcels.service import EventRefused, UnknownOrder, record_event
from backend.ratelimit.limiter import enforce
from backend.warehouse import examples
from backend.warehouse.protocol import EVENT_TYPES, Problem, decode_event, field_errors
from backend.warehouse.signing import SIGNATURE_HEADER, SignatureError, verify_headers

PROBLEM = "application/problem+json"
PARTNER = "partner:warehouse"


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    return Response({"title": title, "status": status, "detail": detail, **extra}, status_code=status,
                    media_type=PROBLEM)


@dataclass
class EventOperation(Operation):
    """The body is read raw (the signature covers the exact bytes), so describe it here: one event
    object tagged by ``type``, with an example per event type."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="One event; `type` is one of: " + ", ".join(EVENT_TYPES) + ". See docs/warehouse-api.md.",
            content={"application/json": OpenAPIMediaType(
                schema=Schema(type="object", required=["type", "event_id", "order_id", "occurred_at"], properties={
                    "type": Schema(type="string", enum=list(EVENT_TYPES)),
                    "event_id": Schema(type="string", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$"),
                    "order_id": Schema(type="integer", minimum=1),
                    "occurred_at": Schema(type="string", format="date-time"),
                    "parcel_no": Schema(type="integer", minimum=1, maximum=99),
                }),
                examples={name: Example(summary=name, value=value) for name, value in examples.EVENTS.items()},
            )},
        )
        if self.responses:
            self.responses.pop("400", None)


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM, generate_examples=False)


class WarehouseEventsController(Controller):
    path = "/api/v1/warehouse"
    tags = ["warehouse"]

    @post(
        "/events",
        summary="Parcel status event from the warehouse or carrier",
        description=(
            "Signed with HMAC-SHA256 over `<timestamp>.<body>` (headers X-FSC-Timestamp, X-FSC-Signature: v1=<hex>); "
            "a stale or future timestamp, a bad signature or an exact replay → 401. Events are applied once per "
            "`event_id` (a repeat answers 200 `duplicate`) and never move a parcel backwards. Event types: "
            + ", ".join(EVENT_TYPES) + "."
        ),
        status_code=200,
        opt={"access": "partner"},  # receive_event verifies the HMAC signature over the raw body
        operation_class=EventOperation,
        responses={401: _problem("Signature missing, malformed, stale, wrong or replayed"),
                   404: _problem("Unknown order"),
                   429: _problem("Too many requests from this partner or address: wait `Retry-After` seconds"),
                   409: _problem("The event contradicts the order: it was withdrawn, or the parcel does not "
                                 "exist (only a `split` backorder decision makes parcel 2); nothing is applied "
                                 "and Fælles Service Center is told"),
                   422: _problem("Malformed event or unknown event type; `errors` lists the fields")},
    )
    async def receive_event(self, request: Request) -> Response:
        response = await self._receive_event(request)
        count_webhook(*webhook_outcome(response))
        return response

    async def _receive_event(self, request: Request) -> Response:
        settings = request.app.state.settings
        body = await request.body()
        try:
            verify_headers(settings.warehouse_secrets, request.headers, body)
        except SignatureError as exc:
            return problem(401, "Unauthorized", f"signature check failed: {exc.reason}")
        try:
            event = decode_event(body)
        except msgspec.MsgspecError as exc:
            return problem(422, "Unprocessable event", "the event does not match the schema",
                           errors=field_errors(exc))
        async with request.app.state.pool.acquire() as conn:
            # Counted only once the signature is good: a forged request costs an HMAC, not a write.
            await enforce(request, "warehouse", account=PARTNER, conn=conn)
            transaction = conn.transaction()
            await transaction.start()
            try:
                refusal = None
                if not await remember_signature(conn, request.headers[SIGNATURE_HEADER]):
                    refusal = problem(401, "Unauthorized", "signature check failed: replayed request")
                else:
                    applied = await record_event(conn, event)
            except UnknownOrder:
                refusal = problem(404, "Unknown order", f"order {event.order_id} does not exist")
            except EventRefused as exc:
                refusal = problem(409, "Conflict", str(exc))
            except BaseException:
                await transaction.rollback()
                raise
            if refusal is not None:
                await transaction.rollback()  # nothing of a refused event is written …
                if refusal.status_code == 409:  # … except the note for FSC
                    await attention.flag(conn, event.order_id, "event_refused",
                                         f"{event.__struct_config__.tag} (event {event.event_id}): {refusal.content['detail']}")
                return refusal
            await transaction.commit()
        return Response({"status": "applied" if applied else "duplicate", "event_id": event.event_id})


_REFUSALS = {401: "signature", 404: "unknown_order", 409: "conflict", 422: "malformed"}


def webhook_outcome(response: Response) -> tuple[str, str]:
    """(accepted, applied|duplicate) or (refused, reason) for the metrics."""
    if response.status_code in (None, 200):  # None: the route's own status (200)
        return "accepted", response.content["status"]
    detail = response.content.get("detail", "") if isinstance(response.content, dict) else ""
    reason = "replayed" if detail.endswith("replayed request") else _REFUSALS.get(response.status_code, "other")
    return "refused", reason
