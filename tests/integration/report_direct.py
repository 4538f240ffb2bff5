"""The payer report's figures computed directly from the raw rows, in Python, without the
aggregate tables or their SQL: what the aggregates must equal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import asyncpg

from backend.reports.buckets import Percentile, bucket_of, nearest_rank

CPH = ZoneInfo("Europe/Copenhagen")


@dataclass
class Direct:
    citizens: set = field(default_factory=set)
    orders: set = field(default_factory=set)
    packs: int = 0
    pieces: int = 0
    spend_oere: int = 0
    leads: dict = field(default_factory=dict)   # order id -> hours
    backorders: int = 0
    callbacks_handled: int = 0
    callbacks_waiting: int = 0
    change_requests: int = 0
    handling: list = field(default_factory=list)   # hours made -> decided of the decided requests

    def percentile(self, percent: int) -> Percentile:
        return exact_percentile(list(self.leads.values()), percent)

    def handling_percentile(self, percent: int) -> Percentile:
        return exact_percentile(self.handling, percent)


def exact_percentile(values: list[float], percent: int) -> Percentile:
    """The nearest-rank percentile of the raw values, then bucketed (what the report shows)."""
    hours = sorted(values)
    if not hours:
        return Percentile(None)
    return Percentile(bucket_of(hours[nearest_rank(percent, len(hours)) - 1]))


def month_of(at: dt.datetime) -> dt.date:
    return at.astimezone(CPH).date().replace(day=1)


async def direct_figures(db: asyncpg.Connection) -> dict[tuple[int, dt.date], Direct]:
    """(payer id, month) -> figures, from order_, order_line (its price at order time), grant_,
    product, warehouse_event, backorder, callback, citizen and change_request."""
    figures: dict[tuple[int, dt.date], Direct] = defaultdict(Direct)
    lines = await db.fetch(
        """SELECT o.id, o.citizen_id, o.status, o.placed_at, g.payer_id, l.packs, l.pieces, l.price_oere, p.item_no
             FROM order_ o JOIN order_line l ON l.order_id = o.id JOIN grant_ g ON g.id = l.grant_id
             JOIN product p ON p.id = l.product_id""")
    delivered = {r["order_id"]: r["at"] for r in await db.fetch(
        "SELECT order_id, max(occurred_at) AS at FROM warehouse_event WHERE type = 'delivered' GROUP BY 1")}
    backordered = {(r["order_id"], r["item_no"]) for r in await db.fetch("SELECT order_id, item_no FROM backorder")}
    for r in lines:
        if r["status"] == "cancelled":
            continue
        f = figures[(r["payer_id"], month_of(r["placed_at"]))]
        f.citizens.add(r["citizen_id"])
        f.orders.add(r["id"])
        f.packs += r["packs"]
        f.pieces += r["pieces"]
        f.spend_oere += r["packs"] * r["price_oere"]
        if r["status"] == "delivered" and r["id"] in delivered:
            f.leads[r["id"]] = (delivered[r["id"]] - r["placed_at"]).total_seconds() / 3600
        if (r["id"], r["item_no"]) in backordered:
            f.backorders += 1
    for r in await db.fetch("""SELECT cb.status, cb.slot_start, c.municipality_id
                                 FROM callback cb JOIN citizen c ON c.id = cb.citizen_id"""):
        f = figures[(r["municipality_id"], month_of(r["slot_start"]))]
        f.callbacks_handled += r["status"] == "done"
        f.callbacks_waiting += r["status"] in ("waiting", "in_progress", "no_answer")
    for r in await db.fetch("SELECT payer_id, created_at, decided_at FROM change_request"):
        f = figures[(r["payer_id"], month_of(r["created_at"]))]
        f.change_requests += 1
        if r["decided_at"] is not None:
            f.handling.append((r["decided_at"] - r["created_at"]).total_seconds() / 3600)
    return figures


def assert_equal(aggregated: list, direct: dict[tuple[int, dt.date], Direct]) -> int:
    """Every (payer, month) row of the report equals the direct figures; returns the rows compared."""
    seen = set()
    for m in aggregated:
        key = (m.payer_id, m.month)
        seen.add(key)
        d = direct.get(key, Direct())
        got = (m.citizens, m.orders, m.packs, m.pieces, m.spend_oere, m.delivered, m.backorders,
               m.callbacks_handled, m.callbacks_waiting, m.lead_median, m.lead_p90, m.change_requests,
               m.change_decided, m.change_median, m.change_p90)
        want = (len(d.citizens), len(d.orders), d.packs, d.pieces, d.spend_oere, len(d.leads), d.backorders,
                d.callbacks_handled, d.callbacks_waiting, d.percentile(50), d.percentile(90), d.change_requests,
                len(d.handling), d.handling_percentile(50), d.handling_percentile(90))
        assert got == want, (key, got, want)
    missing = [key for key, d in direct.items() if key not in seen and (d.orders or d.callbacks_handled
                                                                       or d.callbacks_waiting or d.change_requests)]
    assert not missing, missing
    return len(seen)
