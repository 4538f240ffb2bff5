"""Parcel status rules: pure functions, no I/O.

A parcel moves through an ordered lifecycle

    placed < received < picking < packed < handed_to_carrier
           < out_for_delivery(1) < delivery_failed(1) < out_for_delivery(2) < delivery_failed(2) < …
           < delivered < returned

Every status has a rank in that order, and applying an event moves the parcel to the event's
status only when that ranks higher than where it is; otherwise nothing changes. So:

- events may arrive late, twice or out of order: a late ``packed`` never moves a ``delivered``
  parcel back, and the result of a set of events is the same in any order (the highest rank);
- a failed attempt is not final: ``out_for_delivery`` with the next ``attempt`` number (or
  ``delivered``) moves on from ``delivery_failed``, while a late ``out_for_delivery`` of the
  failed attempt itself does not undo the failure;
- ``delivered`` is final except for ``returned`` (the citizen refused or sent the parcel back
  after it was handed over); ``returned`` is terminal;
- ``item_backordered`` does not move the status: it is a flag the app keeps beside it.

Status is per parcel (``parcel_no``); an order split after a backorder has two.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from backend.warehouse.protocol import DeliveryFailedEvent, OutForDeliveryEvent, WarehouseEvent


class ParcelStatus(StrEnum):
    PLACED = "placed"
    RECEIVED = "received"
    PICKING = "picking"
    PACKED = "packed"
    HANDED_TO_CARRIER = "handed_to_carrier"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    RETURNED = "returned"


BACKORDER_EVENT = "item_backordered"
"""The one event type that does not move the status."""

_STAGE: dict[ParcelStatus, int] = {
    ParcelStatus.PLACED: 0,
    ParcelStatus.RECEIVED: 1,
    ParcelStatus.PICKING: 2,
    ParcelStatus.PACKED: 3,
    ParcelStatus.HANDED_TO_CARRIER: 4,
    ParcelStatus.OUT_FOR_DELIVERY: 5,  # ordered within the stage by (attempt, failed)
    ParcelStatus.DELIVERY_FAILED: 5,
    ParcelStatus.DELIVERED: 6,
    ParcelStatus.RETURNED: 7,
}
_ATTEMPTED = (ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.DELIVERY_FAILED)
TERMINAL: frozenset[ParcelStatus] = frozenset({ParcelStatus.RETURNED})
"""Statuses nothing moves on from (``delivered`` still allows ``returned``)."""


class Progress(NamedTuple):
    """Where a parcel is: its status and, during delivery, the attempt the status belongs to."""

    status: ParcelStatus
    attempt: int = 0
    """Delivery attempt number for out_for_delivery / delivery_failed; 0 for the other statuses."""


INITIAL = Progress(ParcelStatus.PLACED)


def rank(progress: Progress) -> tuple[int, int, int]:
    """Sort key of a progress: higher is further along."""
    status, attempt = progress
    if status in _ATTEMPTED:
        return (_STAGE[status], attempt, 1 if status is ParcelStatus.DELIVERY_FAILED else 0)
    return (_STAGE[status], 0, 0)


def target(event_type: str, attempt: int = 1) -> Progress | None:
    """The progress an event announces; None for ``item_backordered``. ValueError when unknown."""
    if event_type == BACKORDER_EVENT:
        return None
    try:
        status = ParcelStatus(event_type)
    except ValueError:
        raise ValueError(f"unknown event type {event_type!r}") from None
    if status is ParcelStatus.PLACED:
        raise ValueError("'placed' is the app's own starting status, not an event")
    if status in _ATTEMPTED:
        if attempt < 1:
            raise ValueError("a delivery attempt number starts at 1")
        return Progress(status, attempt)
    return Progress(status)


def apply(current: Progress, event_type: str, attempt: int = 1) -> Progress:
    """The progress after an event: the event's own progress if it ranks higher, else unchanged."""
    announced = target(event_type, attempt)
    if announced is None or rank(announced) <= rank(current):
        return current
    return announced


def apply_event(current: Progress, event: WarehouseEvent) -> Progress:
    """``apply`` for a decoded event (takes the attempt number from the event when it has one)."""
    attempt = event.attempt if isinstance(event, OutForDeliveryEvent | DeliveryFailedEvent) else 1
    return apply(current, event.__struct_config__.tag, attempt)  # type: ignore[arg-type]


def fold(events: Iterable[WarehouseEvent], start: Progress = INITIAL) -> Progress:
    """The progress after all events (for one parcel), in whatever order they came."""
    progress = start
    for event in events:
        progress = apply_event(progress, event)
    return progress


def fold_parcels(events: Iterable[WarehouseEvent]) -> dict[int, Progress]:
    """Progress per ``parcel_no`` for all events of one order."""
    parcels: dict[int, Progress] = {}
    for event in events:
        parcels[event.parcel_no] = apply_event(parcels.get(event.parcel_no, INITIAL), event)
    return parcels


def can_withdraw(progress: Progress) -> bool:
    """A cancelled order may be withdrawn from the warehouse only before picking starts."""
    return rank(progress) < rank(Progress(ParcelStatus.PICKING))
