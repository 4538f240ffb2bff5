"""The caseworker's queue shows the discharge hand-overs of their own authority (issue 16 §2 and §4):
a municipality's caseworker their own citizens' discharge grants that end soon with no follow-on
grant, a region's caseworker the discharge grants the region pays; never another authority's."""

from __future__ import annotations

import datetime as dt
import re

from backend.web.deps import local_today
from tests.factories import make_citizen, make_product
from tests.integration.casework_helpers import AARHUS_CASEWORKER, ODENSE_CASEWORKER, REGION_CASEWORKER, caseworker_login


async def ending_discharge_grant(db, name: str, cpr: str, municipality_code: int, region_code: int,
                                 ends_in_days: int = 5) -> dict:
    """A citizen whose hospital discharge grant (paid by the region) ends soon with no follow-on grant."""
    citizen = await make_citizen(db, name, cpr, municipality_code=municipality_code)
    product = await make_product(db, f"Udskrivningspose {cpr}")
    today = local_today()
    grant = await db.fetchval(
        """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, valid_to, payer_id)
           VALUES ($1, $2, 30, 30, $3, $4, (SELECT id FROM authority WHERE code = $5)) RETURNING id""",
        citizen, product, today - dt.timedelta(days=20), today + dt.timedelta(days=ends_in_days), region_code)
    return {"citizen": citizen, "grant": grant, "name": name}


def handovers_on(page: str) -> set[int]:
    return {int(g) for g in re.findall(r'data-handover="(\d+)"', page)}


async def test_a_municipal_caseworker_sees_their_own_citizens_hand_overs_only(client, db):
    aarhus = await ending_discharge_grant(db, "Bente Udskrevet", "0101501234", 751, 1082)
    odense = await ending_discharge_grant(db, "Poul Udskrevet", "0202502345", 461, 1083)
    later = await ending_discharge_grant(db, "Jens Senere", "0303503456", 751, 1082, ends_in_days=40)

    member = await caseworker_login(client, db, AARHUS_CASEWORKER)
    page = await client.get("/fsc/sag")
    assert page.status_code == 200
    shown = handovers_on(page.text)
    assert aarhus["grant"] in shown and f'/fsc/sag/citizens/{aarhus["citizen"]}' in page.text
    assert odense["grant"] not in shown and odense["name"] not in page.text  # another municipality's citizen
    assert later["grant"] not in shown  # ends beyond the 14 days
    logged = await db.fetchval("SELECT detail->>'handovers' FROM audit_log WHERE actor_kind = 'staff' "
                               "AND actor_id = $1 AND action = 'caseworker_viewed_queue'", member)
    assert int(logged) == len(shown)

    await caseworker_login(client, db, ODENSE_CASEWORKER)
    shown = handovers_on((await client.get("/fsc/sag")).text)
    assert odense["grant"] in shown and aarhus["grant"] not in shown


async def test_a_follow_on_grant_takes_the_hand_over_off_the_queue(client, db):
    aarhus = await ending_discharge_grant(db, "Bente Udskrevet", "0101501234", 751, 1082)
    grant = await db.fetchrow("SELECT * FROM grant_ WHERE id = $1", aarhus["grant"])
    await db.execute(
        """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, payer_id)
           VALUES ($1, $2, 30, 30, $3, (SELECT id FROM authority WHERE code = 751))""",
        grant["citizen_id"], grant["product_id"], grant["valid_to"] + dt.timedelta(days=1))
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    assert aarhus["grant"] not in handovers_on((await client.get("/fsc/sag")).text)


async def test_a_region_caseworker_sees_the_discharge_grants_the_region_pays(client, db):
    aarhus = await ending_discharge_grant(db, "Bente Udskrevet", "0101501234", 751, 1082)
    odense_paid_by_syd = await ending_discharge_grant(db, "Poul Udskrevet", "0202502345", 461, 1083)
    # A Region Midtjylland grant for a citizen of a municipality elsewhere still counts: the region pays it.
    visitor = await ending_discharge_grant(db, "Karl Besøgende", "0404504567", 461, 1082)

    await caseworker_login(client, db, REGION_CASEWORKER)
    page = await client.get("/fsc/sag")
    assert page.status_code == 200
    shown = handovers_on(page.text)
    assert {aarhus["grant"], visitor["grant"]} <= shown
    assert odense_paid_by_syd["grant"] not in shown and odense_paid_by_syd["name"] not in page.text
    paid = {r["id"] for r in await db.fetch(
        "SELECT id FROM grant_ WHERE id = ANY($1::int[]) AND payer_id = (SELECT id FROM authority WHERE code = 1082)",
        list(shown))}
    assert paid == shown  # only the region's own
    # The caseworker can open the citizen from the list (the region pays a grant of theirs).
    assert (await client.get(f'/fsc/sag/citizens/{visitor["citizen"]}')).status_code == 200
