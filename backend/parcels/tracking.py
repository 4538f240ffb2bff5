"""The tracking view of an order: parcels, a timeline of events, backorders awaiting a choice."""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.catalog.labels import N_
from backend.i18n import gettext
from backend.orders.receipt import receipt
from backend.parcels import queries

FINAL = frozenset({"delivered", "returned"})

EVENT_LABELS = {
    "received": N_("The warehouse received your order"),
    "picking": N_("The warehouse is packing your parcel"),
    "packed": N_("Packed in discreet packaging"),
    "handed_to_carrier": N_("Handed to the carrier"),
    "out_for_delivery": N_("Out for delivery"),
    "delivered": N_("Delivered"),
    "delivery_failed": N_("Delivery attempt failed"),
    "item_backordered": N_("A product is temporarily out of stock"),
    "returned": N_("Returned to the warehouse"),
}


def event_label(event_type: str) -> str:
    return gettext(EVENT_LABELS.get(event_type, event_type))


async def tracking(conn: asyncpg.Connection, order: asyncpg.Record) -> dict[str, Any]:
    parcels = await queries.select_parcels(conn, order["id"])
    events = await queries.select_events(conn, order["id"])
    backorders = await queries.select_backorders(conn, order["id"])
    undecided = [b for b in backorders if b["decision"] is None]
    shipped = any(p["status"] not in ("placed", "received", "picking", "packed") for p in parcels)
    return {
        "parcels": parcels,
        "events": events,
        "backorders": backorders,
        "backorder_choice": (bool(undecided) and not shipped and order["status"] != "cancelled"
                             and order["cancel_state"] != "requested"),
        "live": order["status"] != "cancelled" and not (parcels and all(p["status"] in FINAL for p in parcels)),
        "event_label": event_label,
        **receipt(order, parcels, backorders, events),
    }
