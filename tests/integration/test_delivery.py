"""Delivery settings: leave-at-door permission, pickup point, temporary addresses; bad input writes nothing."""

import datetime as dt
import uuid

from backend.web.deps import local_today
from tests.conftest import csrf_token, login
from tests.factories import make_citizen, make_grant, make_product


async def setup(client, db):
    today = local_today()
    citizen = await make_citizen(db, "Lever Testesen", "1111801234")
    product = await make_product(db, "Leveringspose", 30)
    grant = await make_grant(db, citizen, product, 90, today - dt.timedelta(days=3))
    await login(client, citizen)
    return citizen, grant, today


async def test_leave_at_door_needs_the_citizens_permission(client, db):
    citizen, grant, _today = await setup(client, db)
    token = await csrf_token(client)
    saved = await client.post("/delivery/", data={"method": "home", "leave_at_door": "1", "driver_note": "Bagdøren",
                                                  "_csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    pref = await db.fetchrow("SELECT * FROM delivery_preference WHERE citizen_id = $1", citizen)
    assert pref["leave_at_door_allowed"] and pref["driver_note"] == "Bagdøren"
    order = await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()), "_csrf_token": token},
                              follow_redirects=False)
    order_id = int(order.headers["location"].rsplit("/", 1)[1])
    row = await db.fetchrow("SELECT leave_at_door, driver_note FROM order_ WHERE id = $1", order_id)
    assert tuple(row) == (True, "Bagdøren")
    assert "Må stilles" in (await client.get(f"/orders/{order_id}")).text


async def test_bad_delivery_settings_write_nothing(client, db):
    citizen, _grant, today = await setup(client, db)
    token = await csrf_token(client)
    cases = [
        ({"method": "drone"}, "Vælg, hvor pakken skal leveres."),
        ({"method": "pickup_point", "pickup_point_id": "999999"}, "Vælg et udleveringssted på listen."),
        ({"method": "home", "driver_note": "x" * 201}, "højst være 200 tegn"),
    ]
    for data, message in cases:
        response = await client.post("/delivery/", data=data | {"_csrf_token": token})
        assert response.status_code == 422 and message in response.text, data
    assert await db.fetchval("SELECT count(*) FROM delivery_preference WHERE citizen_id = $1", citizen) == 0
    good = {"street": "Klitvej 1", "postcode": "8400", "city": "Ebeltoft",
            "valid_from": today.isoformat(), "valid_to": (today + dt.timedelta(days=7)).isoformat()}
    bad_addresses = [
        ({"postcode": "84"}, "postnummer med 4 cifre"),
        ({"street": ""}, "Skriv vej og nummer."),
        ({"valid_from": "31-02-2026"}, "Skriv en dato"),
        ({"valid_to": (today - dt.timedelta(days=1)).isoformat()}, "kan ikke ligge i fortiden"),
        ({"valid_from": (today + dt.timedelta(days=9)).isoformat()}, "samme dag som eller efter"),
    ]
    for change, message in bad_addresses:
        response = await client.post("/delivery/temporary", data=good | change | {"_csrf_token": token})
        assert response.status_code == 422 and message in response.text, change
    assert await db.fetchval("SELECT count(*) FROM temporary_address WHERE citizen_id = $1", citizen) == 0
    added = await client.post("/delivery/temporary", data=good | {"_csrf_token": token}, follow_redirects=False)
    assert added.status_code == 303
    address = await db.fetchval("SELECT id FROM temporary_address WHERE citizen_id = $1", citizen)
    assert "Klitvej 1" in (await client.get("/delivery")).text
    removed = await client.post(f"/delivery/temporary/{address}/delete", data={"_csrf_token": token},
                                follow_redirects=False)
    assert removed.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM temporary_address WHERE citizen_id = $1", citizen) == 0


async def test_someone_elses_temporary_address_cannot_be_removed(client, db):
    citizen, _grant, today = await setup(client, db)
    other = await make_citizen(db, "Anden Adresse", "1212801234")
    foreign = await db.fetchval(
        """INSERT INTO temporary_address (citizen_id, street, postcode, city, valid_from, valid_to)
           VALUES ($1, 'Fremmedvej 1', '8000', 'Aarhus C', $2, $2) RETURNING id""", other, today)
    response = await client.post(f"/delivery/temporary/{foreign}/delete", data={"_csrf_token": await csrf_token(client)})
    assert response.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM temporary_address WHERE id = $1", foreign) == 1
