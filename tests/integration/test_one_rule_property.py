"""What the home page promises is exactly what the one tap then orders (Hypothesis, real database).

Random grants (quantity, period, pack size, validity), supply horizons (new stoma or not),
municipalities (live or not) and order histories (placed through the real order path on earlier
days, or written as old history allocated by order date; some cancelled, which frees their
allocations) for a fresh citizen per example, in one database copy. Then the home page's values
(the typed rows home.html renders) are compared with what the one tap does: it orders exactly the
offered packs per grant, or it is refused exactly when the page offers nothing, with the very
reason the page shows. It never takes more from a period than was left there.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backend.grants.routes import home_values
from backend.orders.models import Actor, LineRequest, OrderRejected, PlaceOrder
from backend.orders.service import place_order
from backend.web.deps import local_today
from tests.factories import make_citizen, make_grant, make_order, make_product

LIVE, NOT_LIVE = 751, 779  # Aarhus; Skive takes part but is not live yet (seed)
_cpr = itertools.count(1)

grants = st.lists(st.fixed_dictionaries({
    "quantity": st.integers(1, 200),
    "period_days": st.sampled_from([7, 14, 30, 45, 90, 91]),
    "pack_size": st.sampled_from([1, 5, 10, 30, 60]),
    "starts": st.integers(-300, 20),                   # valid_from, days from today
    "lasts": st.none() | st.integers(0, 400),          # valid_to - valid_from, None: until further notice
}), min_size=1, max_size=3)

history = st.lists(st.fixed_dictionaries({
    "days_ago": st.integers(0, 150),
    "packs": st.lists(st.integers(0, 6), min_size=3, max_size=3),  # wanted per grant (clipped to the limit)
    "old": st.booleans(),                              # written as history, allocated by order date
    "cancelled": st.booleans(),
}), max_size=4)


async def make_grants(db, citizen: int, specs: list[dict], today: dt.date) -> list[tuple[int, int, int]]:
    """(grant id, product id, pack size) per spec."""
    made = []
    for n, spec in enumerate(specs):
        product = await make_product(db, f"Egenskabspose {next(_cpr)}-{n}", spec["pack_size"])
        valid_from = today + dt.timedelta(days=spec["starts"])
        valid_to = None if spec["lasts"] is None else valid_from + dt.timedelta(days=spec["lasts"])
        grant = await make_grant(db, citizen, product, spec["quantity"], valid_from, spec["period_days"], valid_to)
        made.append((grant, product, spec["pack_size"]))
    return made


async def cancel(db, order_id: int) -> None:
    """A cancelled order holds no allocations (as when the warehouse has confirmed the withdrawal)."""
    await db.execute("UPDATE order_ SET status = 'cancelled', cancelled_at = now() WHERE id = $1", order_id)
    await db.execute("DELETE FROM grant_allocation WHERE order_id = $1", order_id)


async def write_history(db, citizen: int, made: list[tuple[int, int, int]], entries: list[dict],
                        today: dt.date) -> None:
    for entry in sorted(entries, key=lambda e: -e["days_ago"]):
        day = today - dt.timedelta(days=entry["days_ago"])
        order_ids = []
        if entry["old"]:
            for (grant, product, pack_size), packs in zip(made, entry["packs"], strict=False):
                valid_from = await db.fetchval("SELECT valid_from FROM grant_ WHERE id = $1", grant)
                if packs and valid_from <= day:
                    order_ids.append(await make_order(db, citizen, grant, product, packs, pack_size, day))
        else:
            page = await home_values(db, citizen, day)  # what may be ordered on that day
            limits = {grant.id: grant.limit.packs for grant in page["grants"]}
            lines = tuple(LineRequest(grant, min(packs, limits.get(grant, 0)))
                          for (grant, _product, _size), packs in zip(made, entry["packs"], strict=False))
            if any(line.packs for line in lines):
                placed = await place_order(db, PlaceOrder(citizen, uuid.uuid4(), Actor("citizen", citizen), lines),
                                           day)
                order_ids.append(placed.order_id)
        if entry["cancelled"]:
            for order_id in order_ids:
                await cancel(db, order_id)


async def allocated_per_period(db, citizen: int) -> dict[tuple[int, dt.date], int]:
    rows = await db.fetch(
        """SELECT a.grant_id, a.period_start, sum(a.pieces)::int AS pieces
             FROM grant_allocation a JOIN grant_ g ON g.id = a.grant_id
            WHERE g.citizen_id = $1 GROUP BY 1, 2""", citizen)
    return {(r["grant_id"], r["period_start"]): r["pieces"] for r in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(specs=grants, entries=history, new_stoma=st.booleans(), live=st.sampled_from([True, True, True, False]))
async def test_the_one_tap_orders_exactly_what_the_home_page_offers(db, specs, entries, new_stoma, live):
    today = local_today()
    stoma_since = today - dt.timedelta(days=40 if new_stoma else 900)
    citizen = await make_citizen(db, "Egenskab Testesen", f"{next(_cpr):010d}", LIVE, stoma_since=stoma_since)
    made = await make_grants(db, citizen, specs, today)
    await write_history(db, citizen, made, entries, today)
    if not live:
        await db.execute("UPDATE citizen SET municipality_id = (SELECT id FROM authority WHERE code = $2)"
                         " WHERE id = $1", citizen, NOT_LIVE)
    pack_sizes = {grant: size for grant, _product, size in made}

    page = await home_values(db, citizen, today)
    offered = {grant.id: grant.usual_packs for grant in page["one_tap"]}
    for grant in page["grants"]:  # the page's sentences say the numbers it acts on
        if grant.limit.packs:
            assert f"{grant.limit.packs} pakke" in grant.texts.orderable, grant.texts
        assert 0 <= grant.usual_packs <= grant.limit.packs
    # What the page says when it offers nothing: the municipality, else the first grant's reason.
    shown_reason = (page["refusal"] if page["gate"] != "ok"
                    else next((grant.reason for grant in page["grants"] if grant.reason), None))
    before = await allocated_per_period(db, citizen)

    try:
        placed = await place_order(db, PlaceOrder(citizen, uuid.uuid4(), Actor("citizen", citizen)), today)
    except OrderRejected as refused:
        event(f"refused: {'municipality' if page['gate'] != 'ok' else 'grants'}")
        assert offered == {}, f"the page offered {offered}, the tap said: {refused.message}"
        if shown_reason is not None:
            assert refused.message == shown_reason
        return
    event("ordered")
    assert offered, "the page offered nothing, but the tap ordered"
    rows = await db.fetch("SELECT grant_id, packs, pieces FROM order_line WHERE order_id = $1", placed.order_id)
    assert {row["grant_id"]: row["packs"] for row in rows} == offered
    taken = await db.fetch("SELECT grant_id, period_start, pieces FROM grant_allocation WHERE order_id = $1",
                           placed.order_id)
    for grant, packs in offered.items():
        assert sum(a["pieces"] for a in taken if a["grant_id"] == grant) == packs * pack_sizes[grant]
    quantity = {grant: spec["quantity"] for (grant, _p, _s), spec in zip(made, specs, strict=True)}
    for a in taken:  # never more from a period than was left in it
        assert a["pieces"] <= quantity[a["grant_id"]] - before.get((a["grant_id"], a["period_start"]), 0)
