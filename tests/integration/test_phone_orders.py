"""Order by phone: the advisor on a taken call orders for the citizen with the citizen's rules
and exactly-once keys; the order records the advisor; nothing is written on bad input."""

import asyncio
import uuid

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.test_staff import post, staff_id, staff_login


async def setup(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, citizen, await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    grant = await db.fetchval(
        """SELECT g.id FROM grant_ g JOIN product p ON p.id = g.product_id
            WHERE g.citizen_id = $1 AND p.name LIKE 'Comfort Flex Lukket Pose%'""", citizen)
    return citizen, callback, anne, grant


async def order_count(db, citizen):
    return await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1", citizen)


async def test_advisor_orders_for_the_citizen_once_per_key(client, db):
    citizen, callback, anne, grant = await setup(client, db)
    before = await order_count(db, citizen)
    refused = await post(client, f"/fsc/callbacks/{callback}/order", **{f"packs-{grant}": "1"},
                         idempotency_key=str(uuid.uuid4()))
    assert refused.status_code == 409 and "Tag henvendelsen, før du bestiller" in refused.text
    assert await order_count(db, citizen) == before
    await post(client, f"/fsc/callbacks/{callback}/claim")
    view = (await client.get(f"/fsc/callbacks/{callback}")).text
    assert "Bestil for borgeren" in view and f'name="packs-{grant}"' in view
    key = str(uuid.uuid4())
    token = await csrf_token(client, "/fsc/")
    data = {f"packs-{grant}": "1", "idempotency_key": key, "delivery_method": "home", "_csrf_token": token}
    responses = await asyncio.gather(*(client.post(f"/fsc/callbacks/{callback}/order", data=data,
                                                   follow_redirects=False) for _ in range(5)))
    assert {r.status_code for r in responses} == {303}
    assert await order_count(db, citizen) == before + 1
    order = await db.fetchrow("SELECT id, placed_by_kind, placed_by_id FROM order_ WHERE idempotency_key = $1",
                              uuid.UUID(key))
    assert (order["placed_by_kind"], order["placed_by_id"]) == ("staff", anne)
    logged = await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'order_placed' AND actor_kind = 'staff'"
                               " AND actor_id = $1 AND citizen_id = $2", anne, citizen)
    assert logged == 1
    page = (await client.get(responses[0].headers["location"])).text
    assert f"Bestilling {order['id']} er afgivet for borgeren" in page


async def test_phone_order_obeys_the_grant_rules(client, db):
    citizen, callback, _anne, grant = await setup(client, db)
    await post(client, f"/fsc/callbacks/{callback}/claim")
    before = await order_count(db, citizen)
    for packs, message in (("999", "højst bestille"), ("-2", "helt tal"), ("0", "Vælg mindst én pakke")):
        response = await post(client, f"/fsc/callbacks/{callback}/order", **{f"packs-{grant}": packs},
                              idempotency_key=str(uuid.uuid4()))
        assert response.status_code == 422 and message in response.text, packs
    other = await db.fetchval("SELECT min(id) FROM grant_ WHERE citizen_id <> $1", citizen)
    response = await post(client, f"/fsc/callbacks/{callback}/order", **{f"packs-{other}": "1"},
                          idempotency_key=str(uuid.uuid4()))
    assert response.status_code == 404 and "ikke blandt dine bevillinger" in response.text
    assert await order_count(db, citizen) == before
