"""Order inputs and results."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum

import msgspec


class DeliveryMethod(str, Enum):
    HOME = "home"
    TEMPORARY = "temporary"
    PICKUP_POINT = "pickup_point"


class DeliveryChoice(msgspec.Struct, frozen=True):
    method: DeliveryMethod = DeliveryMethod.HOME
    pickup_point_id: int | None = None
    leave_at_door: bool = False
    driver_note: str = ""


class LineRequest(msgspec.Struct, frozen=True):
    grant_id: int
    packs: int


class Actor(msgspec.Struct, frozen=True):
    """Who places or cancels: the citizen, a relative or FSC staff (by phone)."""

    kind: str  # citizen | relative | staff
    id: int


class PlaceOrder(msgspec.Struct, frozen=True):
    citizen_id: int
    key: uuid.UUID
    actor: Actor
    lines: tuple[LineRequest, ...] | None = None  # None = one tap: the usual basket
    delivery: DeliveryChoice | None = None        # None = the citizen's standing choice


class PlacedOrder(msgspec.Struct, frozen=True):
    order_id: int
    replayed: bool  # True when the key had already placed this order (a retry)


# Statuses in which the warehouse has not started picking: the order can still be cancelled.
CANCELLABLE = frozenset({"placed", "received"})


class OrderRejected(Exception):
    """The order (or cancellation) is refused; ``message`` is translated and meant for the person."""

    def __init__(self, message: str, *, status_code: int = 422, grant_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.grant_id = grant_id


class DeliveryPlan(msgspec.Struct, frozen=True):
    """Where and how the parcel goes (resolved from the choice and the citizen's data)."""

    method: DeliveryMethod
    recipient_name: str
    street: str
    postcode: str
    city: str
    pickup_point_id: int | None
    leave_at_door: bool
    driver_note: str
    expected_delivery: dt.date
