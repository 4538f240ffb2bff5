"""Issue 14 push: the citizen hears when a helper orders (their switch decides); a helper with the
"notifications" scope gets the citizen's delivery notices on their OWN phone (a device of the
person), told whose parcel it is; taking the scope or the power away stops them at once."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from backend.push import PUSH_JOB, notify_parcel_change
from backend.push.jobs import register
from tests.conftest import csrf_token, login
from tests.integration.power_helpers import act_for, grant, karen, login_person, make_person, post
from tests.push_fixtures import capturing_worker, citizen_with_order, job, push_settings, subscribe


@pytest.fixture
def settings(service):
    return push_settings(service)


@pytest.fixture
async def worker(db_url, service):
    async with capturing_worker(db_url, service, register) as capturing:
        yield capturing


async def run_push_jobs(db, worker) -> None:
    rows = await db.fetch("DELETE FROM pgqueuer WHERE entrypoint = $1 RETURNING payload", PUSH_JOB)
    for row in rows:
        await worker.handlers[PUSH_JOB](msgspec.json.decode(row["payload"]), job())


async def helper_subscribes(client, db, service, citizen: int, *scopes: str):
    """Ole (helper-only) acts for ``citizen`` and turns on notifications on his own phone."""
    ole = await make_person(db, "Ole Jensen", "0101601234")
    power = await grant(db, citizen, ole, *scopes)
    await login_person(client, ole)
    await act_for(client, power)
    device = service.add_device()
    answer = await client.post("/notifications/subscriptions", headers={"x-csrftoken": await csrf_token(client)},
                               json={"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}})
    return ole, power, device, answer


async def test_a_helper_subscribes_their_own_phone_and_gets_the_citizens_parcel_notices(client, db, service, worker):
    citizen, order = await citizen_with_order(db, "0101901111", status="out_for_delivery")
    own, _ = await subscribe(db, service, citizen, "da")
    ole, power, phone, answer = await helper_subscribes(client, db, service, citizen, "notifications")
    assert answer.status_code == 201, answer.text
    row = await db.fetchrow("SELECT person_id, citizen_id FROM push_subscription WHERE id = $1", answer.json()["id"])
    assert tuple(row) == (ole, None)  # the helper's device, not the citizen's
    page = await client.get("/notifications")
    assert page.status_code == 200 and "Test phone" not in page.text  # the citizen's devices are not shown
    citizens_device = await db.fetchval("SELECT id FROM push_subscription WHERE citizen_id = $1", citizen)
    assert (await post(client, f"/notifications/subscriptions/{citizens_device}/delete")).status_code == 404
    assert (await post(client, "/notifications/preferences", {"type-delivered": "1"})).status_code == 403

    async with db.transaction():
        await notify_parcel_change(db, order, 1, "delivered")
    await run_push_jobs(db, worker)
    [mine] = service.messages_for(own)
    [theirs] = service.messages_for(phone)
    assert mine.payload["title"] == "Din pakke er leveret" and mine.payload["url"] == f"/orders/{order}"
    assert theirs.payload["title"] == "For Push Testesen: Din pakke er leveret"
    assert theirs.payload["url"] == "/fuldmagt/vaelg" and service.errors == []

    # The citizen takes the scope away: the very next notice does not reach the helper's phone.
    await db.execute("UPDATE power_of_attorney SET scopes = '{view}' WHERE id = $1", power)
    async with db.transaction():
        await notify_parcel_change(db, order, 1, "delivery_failed")
    await run_push_jobs(db, worker)
    assert len(service.messages_for(own)) == 2 and len(service.messages_for(phone)) == 1


async def test_a_revoked_power_stops_the_helpers_notices(client, db, service, worker):
    citizen, order = await citizen_with_order(db, "0202902222", status="handed_to_carrier")
    _ole, power, phone, answer = await helper_subscribes(client, db, service, citizen, "notifications")
    assert answer.status_code == 201
    await db.execute("UPDATE power_of_attorney SET revoked_at = now() WHERE id = $1", power)
    async with db.transaction():
        await notify_parcel_change(db, order, 1, "delivered")
    await run_push_jobs(db, worker)
    assert service.messages_for(phone) == []


async def test_a_helper_without_the_notifications_scope_cannot_subscribe(client, db, service):
    citizen, _order = await citizen_with_order(db, "0303903333")
    _ole, _power, _phone, answer = await helper_subscribes(client, db, service, citizen, "view")
    assert answer.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


async def test_the_citizen_is_told_when_a_helper_orders_unless_switched_off(client, db, service, worker):
    karen_id = await karen(db)
    own, _ = await subscribe(db, service, karen_id, "da")
    ole = await make_person(db, "Ole Jensen", "0101601234")
    await login_person(client, ole)
    await act_for(client, await grant(db, karen_id, ole, "view", "order"))
    placed = await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()),
                                                        "_csrf_token": await csrf_token(client)},
                               follow_redirects=False)
    assert placed.status_code == 303, placed.text
    order = int(placed.headers["location"].rsplit("/", 1)[1])
    await run_push_jobs(db, worker)
    told = [m.payload for m in service.messages_for(own) if m.payload["type"] == "helper_ordered"]
    assert told == [{"title": "En hjælper har bestilt for dig", "body": f"Ole Jensen har lavet bestilling {order} for dig.",
                     "url": f"/orders/{order}", "tag": f"helper-order-{order}", "type": "helper_ordered",
                     "icon": "/static/icons/icon-192.png"}]

    # Karen switches "when a helper orders for me" off on her notifications page.
    client.cookies.clear()
    await login(client, karen_id)
    page = await client.get("/notifications")
    assert "Når en hjælper bestiller for mig" in page.text
    await post(client, "/notifications/preferences", {"type-order_confirmed": "1"})
    client.cookies.clear()
    await login_person(client, ole)
    await act_for(client, await db.fetchval("SELECT id FROM power_of_attorney WHERE person_id = $1", ole))
    await db.execute("UPDATE order_ SET status = 'cancelled' WHERE id = $1", order)  # room to order again
    second = await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()),
                                                        "_csrf_token": await csrf_token(client)},
                               follow_redirects=False)
    assert second.status_code == 303, second.text
    await run_push_jobs(db, worker)
    assert len([m for m in service.messages_for(own) if m.payload["type"] == "helper_ordered"]) == 1
