"""Applying warehouse and carrier events to parcels and orders (idempotent, never backwards)."""

from __future__ import annotations

import asyncpg
import msgspec

from backend.orders.cancel import reinstate_if_shipping
from backend.parcels import queries
from backend.push import notify_parcel_change
from backend.warehouse.protocol import (
    DeliveryFailedEvent,
    HandedToCarrierEvent,
    ItemBackorderedEvent,
    ReceivedEvent,
    ReturnedEvent,
    WarehouseEvent,
)
from backend.warehouse.status import ParcelStatus, Progress, apply_event, rank


NEWS_FROM_BEFORE_PICKING = (ReceivedEvent, ItemBackorderedEvent)
"""Events a withdrawn order may still get: what the warehouse saw before it withdrew the order."""


class UnknownOrder(Exception):
    """The event is about an order we do not have."""


class EventRefused(Exception):
    """The event contradicts what we know for certain (an order the warehouse confirmed withdrawn, a
    parcel that no split made); nothing of it is applied and FSC is told."""


def order_status(parcels: list[tuple[str, int]]) -> str:
    """An order is as far as its least advanced parcel (delivered when all parcels are)."""
    progress = [Progress(ParcelStatus(status), attempt) for status, attempt in parcels]
    return min(progress, key=rank).status.value


async def record_event(conn: asyncpg.Connection, event: WarehouseEvent) -> bool:
    """Apply one event in the caller's transaction; False when its id was applied before.
    Raises UnknownOrder or EventRefused (and the caller writes nothing of the event)."""
    order = await queries.lock_order(conn, event.order_id)
    if order is None:
        raise UnknownOrder(event.order_id)
    body = msgspec.to_builtins(event)
    event_type = event.__struct_config__.tag
    if not await queries.insert_event(conn, event.event_id, event.order_id, event.parcel_no, event_type,
                                      event.occurred_at, body):
        return False  # a repeat: answered as before, whatever happened since
    # A refusal below raises, and the caller rolls the whole event back (the insert above too).
    reinstated = order["status"] == "cancelled" and await reinstate_if_shipping(conn, order)
    if order["status"] == "cancelled" and not reinstated:
        if isinstance(event, NEWS_FROM_BEFORE_PICKING):
            # Sent before the warehouse withdrew the order, delivered after its confirmation (its
            # outbox retries): a withdrawal is only possible before picking, so this contradicts
            # nothing. Kept (a repeat is answered the same) and changes nothing.
            return True
        raise EventRefused(f"order {event.order_id} was withdrawn from the warehouse")
    current = await queries.lock_parcel(conn, event.order_id, event.parcel_no)
    if current is None:
        raise EventRefused(f"order {event.order_id} has no parcel {event.parcel_no} (only a split makes parcel 2)")
    if reinstated:
        await queries.set_order_status(conn, event.order_id, order_status(await queries.parcel_statuses(conn, event.order_id)))
    if isinstance(event, ItemBackorderedEvent):
        await queries.upsert_backorder(conn, event.order_id, event.item_no, event.expected_date, event.reason,
                                       event.reason_code)
        await notify_parcel_change(conn, event.order_id, event.parcel_no, "item_backordered")
        return True
    before = Progress(ParcelStatus(current["status"]), current["attempt"])
    after = apply_event(before, event)
    carrier = event if isinstance(event, HandedToCarrierEvent) else None
    failure = event if isinstance(event, DeliveryFailedEvent | ReturnedEvent) else None
    if after != before or carrier or failure:
        await queries.update_parcel(
            conn, event.order_id, event.parcel_no, after.status.value, after.attempt,
            carrier.carrier if carrier else None, carrier.tracking_no if carrier else None,
            carrier.tracking_url if carrier else None, failure.reason if failure else None,
            failure.reason_code if failure else None,
        )
        await queries.set_order_status(conn, event.order_id, order_status(await queries.parcel_statuses(conn, event.order_id)))
        await notify_parcel_change(conn, event.order_id, event.parcel_no, after.status.value)
    return True
