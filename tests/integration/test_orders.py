"""Ordering through the ASGI app: one tap, custom orders, the rules, exactly-once, cancellation."""

import asyncio
import json
import datetime as dt
import re
import uuid

import pytest

from backend.calendar_dk import add_working_days
from backend.web.deps import local_today
from tests.conftest import csrf_token, login
from tests.factories import make_citizen, make_grant, make_order, make_product

TODAY = None


@pytest.fixture
async def citizen(db):
    """A logged-in-able citizen with two grants: bags (90/30 days, 30 per pack) and paste (2/90 days, 1 per pack)."""
    today = local_today()
    cid = await make_citizen(db, "Bestil Testesen", "1010801234", stoma_since=today - dt.timedelta(days=900))
    bags = await make_product(db, "Testpose Midi", 30, manufacturer="Coloplast")
    paste = await make_product(db, "Testpasta", 1, manufacturer="Dansac")
    start = today - dt.timedelta(days=10)
    return {
        "id": cid, "today": today,
        "bags": await make_grant(db, cid, bags, 90, start), "bags_product": bags,
        "paste": await make_grant(db, cid, paste, 2, start, period_days=90), "paste_product": paste,
    }


async def counts(db):
    return (await db.fetchval("SELECT count(*) FROM order_"), await db.fetchval("SELECT count(*) FROM order_line"),
            await db.fetchval("SELECT count(*) FROM grant_allocation"), await db.fetchval("SELECT count(*) FROM pgqueuer"))


async def reorder(client, key=None, **headers):
    return await client.post("/orders/reorder", data={"idempotency_key": str(key or uuid.uuid4()),
                                                       "_csrf_token": await csrf_token(client)},
                             headers=headers, follow_redirects=False)


async def custom(client, lines: dict, key=None, **extra):
    data = {f"packs-{grant}": str(packs) for grant, packs in lines.items()}
    data |= {"idempotency_key": str(key or uuid.uuid4()), "_csrf_token": await csrf_token(client)} | extra
    return await client.post("/orders/", data=data, follow_redirects=False)


def order_id_from(response) -> int:
    assert response.status_code == 303, response.text[-2000:]
    return int(re.fullmatch(r"/orders/(\d+)", response.headers["location"]).group(1))


async def test_one_tap_places_the_usual_basket_with_receipt(client, db, citizen):
    await login(client, citizen["id"])
    home = (await client.get("/")).text
    assert "Bestil igen" in home and 'name="idempotency_key"' in home
    order_id = order_id_from(await reorder(client))
    lines = {r["grant_id"]: r["packs"] for r in await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order_id)}
    # No earlier order: one period's quota in packs (90 bags = 3 packs, 2 tubes of paste = 2 packs).
    assert lines == {citizen["bags"]: 3, citizen["paste"]: 2}
    order = await db.fetchrow("SELECT * FROM order_ WHERE id = $1", order_id)
    assert order["status"] == "placed" and order["placed_by_kind"] == "citizen"
    assert order["expected_delivery"] == add_working_days(citizen["today"], 3)
    assert (order["street"], order["delivery_method"]) == ("Testvej 1", "home")
    job = await db.fetchrow("SELECT entrypoint, payload FROM pgqueuer WHERE dedupe_key = $1", f"order_placed:{order_id}")
    assert job["entrypoint"] == "order_placed" and b'"order_id":%d' % order_id in job["payload"]
    receipt = (await client.get(f"/orders/{order_id}")).text
    assert "Tak, vi har modtaget din bestilling" in receipt
    assert "Testvej 1" in receipt and "diskret emballage" in receipt and "2 producenter" in receipt
    assert "Fortryd bestilling" in receipt


async def test_one_tap_repeats_the_last_order_clipped_to_what_is_allowed(client, db, citizen):
    await make_order(db, citizen["id"], citizen["bags"], citizen["bags_product"], 1, 30,
                     citizen["today"] - dt.timedelta(days=3))
    await login(client, citizen["id"])
    order_id = order_id_from(await reorder(client))
    lines = {r["grant_id"]: r["packs"] for r in await db.fetch("SELECT * FROM order_line WHERE order_id = $1", order_id)}
    assert lines == {citizen["bags"]: 1, citizen["paste"]: 2}  # last order had 1 pack of bags


async def test_orderable_covers_three_months_then_says_when_more_is_possible(client, db, citizen):
    await login(client, citizen["id"])
    # 3 periods x 90 bags = 9 packs may be ordered now (supply horizon 90 days).
    assert (await custom(client, {citizen["bags"]: 10})).status_code == 422
    order_id_from(await custom(client, {citizen["bags"]: 9}))
    response = await custom(client, {citizen["bags"]: 1})
    assert response.status_code == 422
    next_period = citizen["today"] + dt.timedelta(days=20)
    assert "Du kan bestille mere fra" in response.text
    periods = await db.fetch("SELECT period_start, pieces FROM grant_allocation WHERE grant_id = $1 ORDER BY 1",
                             citizen["bags"])
    assert [r["pieces"] for r in periods] == [90, 90, 90]
    assert periods[1]["period_start"] == next_period


async def test_new_stoma_citizen_may_order_about_one_month(client, db, citizen):
    await db.execute("UPDATE citizen SET stoma_since = $2 WHERE id = $1", citizen["id"],
                     citizen["today"] - dt.timedelta(days=40))
    await login(client, citizen["id"])
    assert (await custom(client, {citizen["bags"]: 4})).status_code == 422
    order_id_from(await custom(client, {citizen["bags"]: 3}))


async def test_same_key_twenty_times_at_once_makes_exactly_one_order(client, db, citizen):
    await login(client, citizen["id"])
    key = uuid.uuid4()
    responses = await asyncio.gather(*(reorder(client, key) for _ in range(20)))
    assert {r.status_code for r in responses} == {303}
    assert len({r.headers["location"] for r in responses}) == 1
    assert await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1", citizen["id"]) == 1
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_placed'") >= 1
    # The key sent as an htmx header works the same (and returns the same order).
    again = await client.post("/orders/reorder", data={"_csrf_token": await csrf_token(client)},
                              headers={"Idempotency-Key": str(key)}, follow_redirects=False)
    assert again.headers["location"] == responses[0].headers["location"]


async def test_fifty_parallel_orders_never_overdraw_a_grant(client, db, citizen):
    await login(client, citizen["id"])
    responses = await asyncio.gather(*(custom(client, {citizen["bags"]: 1}) for _ in range(50)))
    placed = [r for r in responses if r.status_code == 303]
    refused = [r for r in responses if r.status_code == 422]
    assert len(placed) + len(refused) == 50
    assert len(placed) == 9  # 3 periods x 3 packs
    allocated = await db.fetchval("SELECT sum(pieces) FROM grant_allocation WHERE grant_id = $1", citizen["bags"])
    assert allocated == 270
    per_period = await db.fetch("SELECT sum(pieces) AS s FROM grant_allocation WHERE grant_id = $1 GROUP BY period_start",
                                citizen["bags"])
    assert all(r["s"] <= 90 for r in per_period)


async def test_key_replayed_with_another_basket_is_refused(client, db, citizen):
    await login(client, citizen["id"])
    key = uuid.uuid4()
    order_id_from(await custom(client, {citizen["bags"]: 1}, key=key))
    before = await counts(db)
    response = await custom(client, {citizen["bags"]: 2}, key=key)
    assert response.status_code == 422
    assert "allerede brugt til en anden bestilling" in response.text
    assert await counts(db) == before


@pytest.mark.parametrize(
    ("packs", "message"),
    [("0", "Vælg mindst én pakke"), ("-1", "helt tal fra 0 og op"), ("tre", "helt tal fra 0 og op"),
     ("1.5", "helt tal fra 0 og op"), ("99", "du kan højst bestille 9 pakker nu")],
)
async def test_bad_quantities_are_refused_and_nothing_written(client, db, citizen, packs, message):
    await login(client, citizen["id"])
    before = await counts(db)
    response = await custom(client, {citizen["bags"]: packs})
    assert response.status_code == 422
    assert message in response.text
    assert await counts(db) == before


async def test_someone_elses_grant_is_refused(client, db, citizen):
    other = await make_citizen(db, "Anden", "2020801234")
    product = await make_product(db, "Andens pose")
    their_grant = await make_grant(db, other, product, 90, citizen["today"] - dt.timedelta(days=5))
    await login(client, citizen["id"])
    before = await counts(db)
    response = await custom(client, {their_grant: 1})
    assert response.status_code == 404
    assert "ikke blandt dine bevillinger" in response.text
    assert await counts(db) == before


async def test_expired_grant_and_not_live_municipality_are_refused(client, db, citizen):
    await db.execute("UPDATE grant_ SET valid_from = $2, valid_to = $3 WHERE id = $1", citizen["paste"],
                     citizen["today"] - dt.timedelta(days=100), citizen["today"] - dt.timedelta(days=1))
    await login(client, citizen["id"])
    before = await counts(db)
    response = await custom(client, {citizen["paste"]: 1})
    assert response.status_code == 422 and "Din bevilling udløb den" in response.text
    await db.execute("UPDATE authority SET go_live = $1 WHERE code = 751", citizen["today"] + dt.timedelta(days=30))
    response = await reorder(client)
    assert response.status_code == 422 and "Din kommune begynder at bruge Fælles Bestilling" in response.text
    assert await counts(db) == before


async def test_orders_of_others_are_not_found(client, db, citizen):
    other = await make_citizen(db, "Fremmed", "3030801234")
    product = await make_product(db, "Fremmed pose")
    grant = await make_grant(db, other, product, 90, citizen["today"] - dt.timedelta(days=5))
    foreign = await make_order(db, other, grant, product, 1, 30, citizen["today"])
    await login(client, citizen["id"])
    assert (await client.get(f"/orders/{foreign}")).status_code == 404
    cancel = await client.post(f"/orders/{foreign}/cancel", data={"_csrf_token": await csrf_token(client)})
    assert cancel.status_code == 404
    assert await db.fetchval("SELECT status FROM order_ WHERE id = $1", foreign) == "delivered"
    assert "Fremmed pose" not in (await client.get("/orders")).text


async def test_delivery_choices(client, db, citizen):
    await login(client, citizen["id"])
    before = await counts(db)
    refused = await custom(client, {citizen["bags"]: 1}, delivery_method="home", leave_at_door="1")
    assert refused.status_code == 422 and "Pakken må kun stilles ved din dør" in refused.text
    too_long = await custom(client, {citizen["bags"]: 1}, driver_note="x" * 201)
    assert too_long.status_code == 422
    no_point = await custom(client, {citizen["bags"]: 1}, delivery_method="pickup_point", pickup_point_id="")
    assert no_point.status_code == 422
    assert await counts(db) == before
    point = await db.fetchval("SELECT min(id) FROM pickup_point")
    order_id = order_id_from(await custom(client, {citizen["bags"]: 1}, delivery_method="pickup_point",
                                          pickup_point_id=str(point), driver_note="Ring på"))
    row = await db.fetchrow("SELECT delivery_method, pickup_point_id, driver_note FROM order_ WHERE id = $1", order_id)
    assert tuple(row) == ("pickup_point", point, "Ring på")
    # A temporary address covering the delivery date is used by the one tap automatically.
    await db.execute(
        """INSERT INTO temporary_address (citizen_id, street, postcode, city, valid_from, valid_to)
           VALUES ($1, 'Sommerhusvej 3', '8400', 'Ebeltoft', $2, $3)""",
        citizen["id"], citizen["today"], citizen["today"] + dt.timedelta(days=14))
    one_tap = order_id_from(await reorder(client))
    row = await db.fetchrow("SELECT delivery_method, street FROM order_ WHERE id = $1", one_tap)
    assert tuple(row) == ("temporary", "Sommerhusvej 3")


async def test_live_check_reports_errors_inline(client, db, citizen):
    await login(client, citizen["id"])
    response = await client.post("/orders/new/check",
                                 data={f"packs-{citizen['bags']}": "50", "_csrf_token": await csrf_token(client)},
                                 headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="order-check"' in response.text and "<html" not in response.text
    assert "Testpose Midi: du kan højst bestille 9 pakker nu." in response.text
    ok = await client.post("/orders/new/check", data={f"packs-{citizen['bags']}": "2",
                                                      "_csrf_token": await csrf_token(client)},
                           headers={"HX-Request": "true"})
    assert "alert-error" not in ok.text


async def test_the_check_without_htmx_shows_the_whole_form_with_the_answer(client, db, citizen):
    """A check posted without htmx (no JavaScript, a reload) once answered 500 (the fragment's page needs more)."""
    await login(client, citizen["id"])
    count = await db.fetchval("SELECT count(*) FROM order_")
    response = await client.post("/orders/new/check",
                                 data={f"packs-{citizen['bags']}": "50", "_csrf_token": await csrf_token(client)})
    assert response.status_code == 422 and "<html" in response.text
    assert "Testpose Midi: du kan højst bestille 9 pakker nu." in response.text
    assert await db.fetchval("SELECT count(*) FROM order_") == count


async def test_history_lists_orders_with_status(client, db, citizen):
    await login(client, citizen["id"])
    order_id = order_id_from(await reorder(client))
    page = (await client.get("/orders")).text
    assert f"Bestilling {order_id}" in page and "Bestilling modtaget" in page


async def test_htmx_order_gets_hx_location(client, db, citizen):
    await login(client, citizen["id"])
    response = await client.post("/orders/reorder",
                                 data={"idempotency_key": str(uuid.uuid4()), "_csrf_token": await csrf_token(client)},
                                 headers={"HX-Request": "true", "HX-Boosted": "true"}, follow_redirects=False)
    assert response.status_code == 200
    location = json.loads(response.headers["hx-location"])
    assert re.fullmatch(r"/orders/\d+", location["path"])
    assert location["target"] == "body" and location["headers"] == {"HX-Boosted": "true"}
