"""Hospital → municipality without a gap (issue 16 §2): the citizen's home page shows one line per
product across the hand-over, says who pays only where it matters, and the one tap keeps ordering
the usual quantity after the municipality's grant takes over. FSC sees discharge grants that end
soon with no follow-on grant."""

from __future__ import annotations

import datetime as dt
import re

from backend.grants.handover import ending_discharge_grants
from tests.conftest import login
from tests.factories import make_citizen, make_order, make_product
from tests.integration.test_orders import order_id_from, reorder

TODAY = dt.date.today()


async def discharge_and_municipal(db, *, hand_over_in_days: int) -> dict:
    """A Skanderborg citizen with a region discharge grant (ordered 1 pack of 2 on it) and the
    municipality's grant for the same product from today + ``hand_over_in_days``."""
    citizen = await make_citizen(db, "Hanne Overgaard", "0202801234", municipality_code=746)
    product = await make_product(db, "Overgangspose", pack_size=20)
    start = TODAY + dt.timedelta(days=hand_over_in_days)
    region = await db.fetchval("SELECT id FROM authority WHERE code = 1082")
    municipality = await db.fetchval("SELECT id FROM authority WHERE code = 746")
    insert = """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, valid_to,
                                    payer_id) VALUES ($1, $2, 40, 30, $3, $4, $5) RETURNING id"""
    discharge = await db.fetchval(insert, citizen, product, TODAY - dt.timedelta(days=40),
                                  start - dt.timedelta(days=1), region)
    follow_on = await db.fetchval(insert, citizen, product, start, None, municipality)
    # Ordered on the discharge grant: 1 pack (one period's quota would be 2)
    await make_order(db, citizen, discharge, product, 1, 20, TODAY - dt.timedelta(days=max(8, 1 - hand_over_in_days)))
    return {"citizen": citizen, "product": product, "discharge": discharge, "follow_on": follow_on, "start": start}


def grant_cards(page: str) -> list[str]:
    return re.findall(r'<li class="card grant" id="grant-(\d+)"', page)


async def test_before_the_hand_over_one_line_paid_by_the_region_says_who_takes_over(client, db):
    case = await discharge_and_municipal(db, hand_over_in_days=5)
    await login(client, case["citizen"])
    page = (await client.get("/")).text
    assert grant_cards(page) == [str(case["discharge"])]  # one line for the product, not two
    assert "Betales af" in page and "Region Midtjylland" in page
    assert "Skanderborg Kommune" in page or "Skanderborg" in page.split('id="grant-')[1]
    assert "Kontakt din kommune" not in page  # no "renew your grant" warning: a follow-on grant exists
    assert "Indtil videre" in page  # the line runs on with the municipality's open-ended grant


async def test_after_the_hand_over_one_line_and_the_one_tap_orders_the_usual_quantity(client, db):
    case = await discharge_and_municipal(db, hand_over_in_days=-5)
    await login(client, case["citizen"])
    page = (await client.get("/")).text
    assert grant_cards(page) == [str(case["follow_on"])]  # the ended discharge grant is not a second line
    assert "Betales af" not in page  # the municipality pays and no change is coming: not worth saying
    order_id = order_id_from(await reorder(client))
    lines = [(r["grant_id"], r["packs"]) for r in await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order_id)]
    assert lines == [(case["follow_on"], 1)]  # the usual 1 pack, carried over from the discharge grant


async def test_the_hand_over_day_belongs_to_exactly_one_grant(db):
    case = await discharge_and_municipal(db, hand_over_in_days=0)
    rows = await db.fetch("SELECT id FROM grant_ WHERE citizen_id = $1 AND valid_from <= $2 "
                          "AND (valid_to IS NULL OR valid_to >= $2)", case["citizen"], TODAY)
    assert [r["id"] for r in rows] == [case["follow_on"]]
    day_before = TODAY - dt.timedelta(days=1)
    rows = await db.fetch("SELECT id FROM grant_ WHERE citizen_id = $1 AND valid_from <= $2 "
                          "AND (valid_to IS NULL OR valid_to >= $2)", case["citizen"], day_before)
    assert [r["id"] for r in rows] == [case["discharge"]]


async def test_fsc_sees_discharge_grants_ending_soon_without_a_follow_on(db):
    case = await discharge_and_municipal(db, hand_over_in_days=5)
    ending = [r["grant_id"] for r in await ending_discharge_grants(db)]
    assert case["discharge"] not in ending  # a follow-on grant exists
    await db.execute("DELETE FROM grant_ WHERE id = $1", case["follow_on"])
    ending = await ending_discharge_grants(db)
    assert case["discharge"] in [r["grant_id"] for r in ending]
    skanderborg = await db.fetchval("SELECT id FROM authority WHERE code = 746")
    assert case["discharge"] in [r["grant_id"] for r in await ending_discharge_grants(db, municipality_id=skanderborg)]
    aarhus = await db.fetchval("SELECT id FROM authority WHERE code = 751")
    assert case["discharge"] not in [r["grant_id"] for r in await ending_discharge_grants(db, municipality_id=aarhus)]
    assert case["discharge"] not in [r["grant_id"] for r in await ending_discharge_grants(db, within_days=3)]
