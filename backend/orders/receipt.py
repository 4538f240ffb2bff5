"""What the receipt says, derived from the order's real state (its parcels, backorders and cancel),
so that it never contradicts itself: no thank-you box or expected date once the parcel is
delivered, no "Cancel" once packing started, the backorder's date as the expected delivery while a
parcel waits for it, and the warehouse's reasons in our own translated words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from backend.calendar_dk import add_working_days
from backend.catalog.labels import N_
from backend.grants.rules import RuleConfig
from backend.i18n import gettext
from backend.orders.models import CANCELLABLE

NOT_SHIPPED = frozenset({"placed", "received", "picking", "packed"})
DONE = frozenset({"delivered", "returned"})

BACKORDER_REASONS = {
    "out_of_stock_manufacturer": N_("The manufacturer is out of stock."),
    "out_of_stock_warehouse": N_("The warehouse is out of stock."),
    "delayed_delivery": N_("The delivery to the warehouse is delayed."),
}
FAILURE_REASONS = {
    "not_at_home": N_("nobody was at home"),
    "no_safe_place": N_("there was no safe place to leave it"),
    "no_access": N_("the driver could not get into the building"),
    "address_not_found": N_("the driver could not find the address"),
    "attempts_exhausted": N_("it could not be delivered after two attempts"),
    "refused_by_recipient": N_("it was refused at the door"),
}


def backorder_reason(code: str | None) -> str:
    """Our words for the partner's reason code; the partner's free text is never shown to citizens."""
    return gettext(BACKORDER_REASONS[code]) if code in BACKORDER_REASONS else ""


UNKNOWN_FAILURE = N_("the driver could not deliver it")


def failure_reason(code: str | None) -> str:
    return gettext(FAILURE_REASONS.get(code or "", UNKNOWN_FAILURE))


def _state(order: asyncpg.Record, parcels: list[asyncpg.Record]) -> str:
    if order["status"] == "cancelled":
        return "cancelled"
    if order["cancel_state"] == "requested":
        return "cancel_requested"
    if parcels and all(p["status"] == "delivered" for p in parcels):
        return "delivered"
    if parcels and all(p["status"] in DONE for p in parcels):
        return "returned"
    if order["status"] == "placed":
        return "placed"
    return "on_its_way"


def expected_delivery(order: asyncpg.Record, parcels: list[asyncpg.Record], backorders: list[asyncpg.Record],
                      days: int = RuleConfig().delivery_working_days) -> dt.date | None:
    """When the (whole) order is expected; None when nothing more is to come. While the order waits
    for a backordered product (no split), that product's date decides."""
    if order["status"] == "cancelled" or (parcels and all(p["status"] in DONE for p in parcels)):
        return None
    expected = order["expected_delivery"]
    waiting = [b["expected_date"] for b in backorders if b["decision"] != "split" and b["expected_date"]]
    if waiting and all(p["status"] in NOT_SHIPPED for p in parcels):
        expected = max(expected or dt.date.min, add_working_days(max(waiting), days))
    return expected


def cancellable(order: asyncpg.Record, parcels: list[asyncpg.Record]) -> bool:
    """"Fortryd" is offered while nothing is picked and no cancel is pending or refused."""
    return (order["status"] in CANCELLABLE and order["cancel_state"] is None
            and all(p["status"] in ("placed", "received") for p in parcels))


def receipt(order: asyncpg.Record, parcels: list[asyncpg.Record], backorders: list[asyncpg.Record],
            events: list[asyncpg.Record]) -> dict[str, Any]:
    """The receipt's values: ``state`` (placed, on_its_way, delivered, returned, cancel_requested,
    cancelled), whether the cancel was refused, the expected and the delivery date, "Cancel" or not."""
    state = _state(order, parcels)
    delivered = [e["occurred_at"] for e in events if e["type"] == "delivered"]
    split_waiting = [b for b in backorders if b["decision"] == "split" and b["expected_date"]]
    return {
        "state": state,
        "cancel_refused": order["cancel_state"] == "refused",
        "expected": expected_delivery(order, parcels, backorders),
        "second_parcel_expected": (add_working_days(max(b["expected_date"] for b in split_waiting),
                                                    RuleConfig().delivery_working_days)
                                   if split_waiting and len(parcels) > 1 and parcels[1]["status"] not in DONE
                                   else None),
        "delivered_at": max(delivered) if state == "delivered" and delivered else None,
        "cancellable": cancellable(order, parcels),
        "backorder_reason": backorder_reason,
        "failure_reason": failure_reason,
    }
