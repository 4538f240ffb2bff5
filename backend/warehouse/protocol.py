"""The versioned JSON API (v1) between the app and the warehouse partner, as msgspec structs.

App → warehouse: ``PickList`` (POST /v1/pick-lists), ``Withdrawal`` (POST /v1/withdrawals),
``BackorderDecision`` (POST /v1/backorder-decisions). Warehouse/carrier → app: one
``WarehouseEvent`` per POST to the app's webhook, a union tagged by its ``type`` field.

Decoding is strict about types, required fields and enum values (``decode_event`` raises
msgspec.ValidationError with a JSON path; ``field_errors`` turns it into field errors for a 422).
Unknown extra fields are ignored so that a partner may add fields within v1. All times are UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

import msgspec

API_VERSION = "v1"

PositiveInt = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
ParcelNo = Annotated[int, msgspec.Meta(ge=1, le=99)]
Attempt = Annotated[int, msgspec.Meta(ge=1, le=9)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ReasonCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""A machine-readable reason; the app shows its own translated words for the codes it knows
(docs/warehouse-api.md lists them) and a general text for any other, never the free text."""
EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
ItemNo = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
UtcTime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
HttpsUrl = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https://[^\s]+$")]
DeliveryMethod = Literal["home", "temporary_address", "pickup_point"]
"""``home``: the citizen's address; ``temporary_address``: e.g. a summer house; ``pickup_point``."""


def _require_utc(name: str, value: dt.datetime) -> None:
    if value.utcoffset() != dt.timedelta(0):
        raise ValueError(f"`{name}` must be in UTC (end with Z or +00:00)")


# --- App → warehouse -------------------------------------------------------------------------


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how the parcel goes."""

    recipient_name: ShortText
    address_lines: Annotated[list[ShortText], msgspec.Meta(min_length=1, max_length=3)]
    postcode: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}$")]
    city: ShortText
    country: Literal["DK"] = "DK"
    method: DeliveryMethod = "home"
    pickup_point_id: ShortText | None = None
    leave_at_door: bool = False
    driver_note: Text | None = None
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 ]{8,16}$")] | None = None

    def __post_init__(self) -> None:
        if self.method == "pickup_point" and self.pickup_point_id is None:
            raise ValueError("`pickup_point_id` is required when `method` is 'pickup_point'")
        if self.method != "pickup_point" and self.pickup_point_id is not None:
            raise ValueError("`pickup_point_id` is only allowed when `method` is 'pickup_point'")
        if self.method == "pickup_point" and self.leave_at_door:
            raise ValueError("`leave_at_door` cannot be combined with a pickup point")


class PickLine(msgspec.Struct, frozen=True, kw_only=True):
    """One product to pick: ``packs`` packs of ``pack_size`` pieces."""

    item_no: ItemNo
    hmi_no: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] | None = None
    manufacturer: ShortText
    name: Text
    packs: Annotated[int, msgspec.Meta(ge=1, le=999)]
    pack_size: Annotated[int, msgspec.Meta(ge=1, le=10000)]


class PickList(msgspec.Struct, frozen=True, kw_only=True):
    """One order to pack into ONE discreet parcel. Idempotent by ``order_id``."""

    order_id: PositiveInt
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
    """The app's order reference shown to the citizen (stable for the order; e.g. FB-000123)."""
    created_at: UtcTime
    delivery: Delivery
    lines: Annotated[list[PickLine], msgspec.Meta(min_length=1, max_length=100)]
    packaging: Literal["discreet"] = "discreet"
    expected_delivery: dt.date | None = None

    def __post_init__(self) -> None:
        _require_utc("created_at", self.created_at)
        item_nos = [line.item_no for line in self.lines]
        if len(set(item_nos)) != len(item_nos):
            raise ValueError("`lines` may name each `item_no` on only one line")


class Withdrawal(msgspec.Struct, frozen=True, kw_only=True):
    """Withdraw an order the citizen cancelled; the warehouse refuses (409) once picking started."""

    order_id: PositiveInt
    reason: Text


class BackorderDecision(msgspec.Struct, frozen=True, kw_only=True):
    """Answer to ``item_backordered``: ``wait`` for the item, or ``split`` (ship the rest now as
    parcel 1 and the backordered item later as parcel 2)."""

    order_id: PositiveInt
    decision: Literal["wait", "split"]


# --- Warehouse → app: answers ----------------------------------------------------------------


class Acceptance(msgspec.Struct, frozen=True, kw_only=True):
    """Answer to a pick list: 202 the first time, 200 with the same body on a repeat."""

    order_id: int
    warehouse_ref: str
    accepted_at: dt.datetime


class WithdrawalResult(msgspec.Struct, frozen=True, kw_only=True):
    """Answer to a withdrawal (200, also on a repeat)."""

    order_id: int
    withdrawn_at: dt.datetime


class DecisionResult(msgspec.Struct, frozen=True, kw_only=True):
    """Answer to a backorder decision (200, also on a repeat of the same decision)."""

    order_id: int
    decision: Literal["wait", "split"]


class FieldError(msgspec.Struct, frozen=True):
    field: str | None
    """Dotted path of the offending field (``lines[0].packs``); null when it concerns the whole body."""
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details (media type ``application/problem+json``)."""

    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = []


# --- Warehouse → app: events -----------------------------------------------------------------


class _Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    event_id: EventId
    """Unique per event and stable across retries: the app applies each event id once."""
    order_id: PositiveInt
    occurred_at: UtcTime
    parcel_no: ParcelNo = 1
    """1 for the order's parcel; 2 for the rest after a ``split`` backorder decision."""

    def __post_init__(self) -> None:
        _require_utc("occurred_at", self.occurred_at)


class ReceivedEvent(_Event, frozen=True, tag="received"):
    """The warehouse has taken the pick list into its system."""


class PickingEvent(_Event, frozen=True, tag="picking"):
    """Picking has started; from now on the order can no longer be withdrawn."""


class PackedEvent(_Event, frozen=True, tag="packed"):
    """Packed into a discreet parcel."""


class HandedToCarrierEvent(_Event, frozen=True, tag="handed_to_carrier"):
    carrier: ShortText
    tracking_no: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    tracking_url: HttpsUrl


class OutForDeliveryEvent(_Event, frozen=True, tag="out_for_delivery"):
    attempt: Attempt = 1
    """Delivery attempt number; a new attempt after ``delivery_failed`` counts up."""


class DeliveredEvent(_Event, frozen=True, tag="delivered"):
    """Delivered (to the door, the temporary address or the pickup point)."""


class DeliveryFailedEvent(_Event, frozen=True, tag="delivery_failed"):
    reason: Text
    attempt: Attempt = 1
    reason_code: ReasonCode | None = None
    """not_at_home | no_safe_place | no_access | address_not_found | other"""


class ItemBackorderedEvent(_Event, frozen=True, tag="item_backordered"):
    """An item is out of stock; the warehouse waits for a BackorderDecision (default: wait)."""

    item_no: ItemNo
    expected_date: dt.date
    reason: Text | None = None
    reason_code: ReasonCode | None = None
    """out_of_stock_manufacturer | out_of_stock_warehouse | delayed_delivery | other"""


class ReturnedEvent(_Event, frozen=True, tag="returned"):
    """The parcel went back to the warehouse (after failed attempts, or refused)."""

    reason: Text
    reason_code: ReasonCode | None = None
    """attempts_exhausted | refused_by_recipient | other"""


WarehouseEvent = (
    ReceivedEvent
    | PickingEvent
    | PackedEvent
    | HandedToCarrierEvent
    | OutForDeliveryEvent
    | DeliveredEvent
    | DeliveryFailedEvent
    | ItemBackorderedEvent
    | ReturnedEvent
)
EVENT_CLASSES: dict[str, type[_Event]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in (
        ReceivedEvent, PickingEvent, PackedEvent, HandedToCarrierEvent, OutForDeliveryEvent,
        DeliveredEvent, DeliveryFailedEvent, ItemBackorderedEvent, ReturnedEvent,
    )
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_CLASSES)

_event_decoder = msgspec.json.Decoder(WarehouseEvent)


def decode_event(body: bytes) -> WarehouseEvent:
    """Decode one webhook body; raises msgspec.DecodeError / ValidationError (see field_errors)."""
    try:
        return _event_decoder.decode(body)
    except UnicodeDecodeError as exc:  # msgspec lets invalid UTF-8 inside a string through as this
        raise msgspec.DecodeError(f"invalid UTF-8 at byte {exc.start}") from None


def decode(body: bytes, type_: type[Any]) -> Any:
    """Decode a request body into one of the structs above (same errors as ``decode_event``)."""
    try:
        return msgspec.json.decode(body, type=type_)
    except UnicodeDecodeError as exc:
        raise msgspec.DecodeError(f"invalid UTF-8 at byte {exc.start}") from None


def encode(value: msgspec.Struct) -> bytes:
    return msgspec.json.encode(value)


_AT = re.compile(r"^(?P<message>.*) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")
_NAMED = re.compile(r"^`(?P<name>[a-z_]+)` ")


def field_errors(exc: msgspec.MsgspecError) -> list[dict[str, str | None]]:
    """A decoding error as ``[{"field": "lines[0].packs", "message": "..."}]`` (msgspec reports the
    first error only). Malformed JSON gives ``field: None``."""
    if not isinstance(exc, msgspec.ValidationError):  # ValidationError is a DecodeError subclass
        return [{"field": None, "message": f"The body is not valid JSON: {exc}"}]
    text = str(exc)
    path = ""
    matched = _AT.match(text)
    if matched:
        text, path = matched["message"], matched["path"]
    missing = _MISSING.match(text)
    named = _NAMED.match(text)
    if missing:
        path = f"{path}.{missing['name']}"
        text = "This field is required"
    elif named:  # our own checks (__post_init__) start with the field's name
        path = f"{path}.{named['name']}"
    field = path.removeprefix(".") or None
    if field == "type" and text.startswith("Invalid value"):
        text = f"{text}; known event types: {', '.join(EVENT_TYPES)}"
    return [{"field": field, "message": text}]
