"""Sending through a real local push service: VAPID checked, every payload decrypted (http_ece).

One notification per device in the device's language; 410 deletes the subscription; 429 is
retried and the retry reaches only the device that missed it; a parcel reaching "delivered"
through the signed webhook, with the real worker process running, notifies each device once.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import msgspec
import pytest
from pgqueuer.errors import RetryRequested

from backend.push import PUSH_JOB, notify_parcel_change
from backend.push.jobs import register
from backend.warehouse.signing import signature_headers
from tests.conftest import TEST_WAREHOUSE_SECRET
from tests.push_fixtures import (
    capturing_worker,
    citizen_with_order,
    job,
    push_settings,
    subscribe,
    worker_process_for,
)


@pytest.fixture
async def worker(db_url, service):
    async with capturing_worker(db_url, service, register) as capturing:
        yield capturing


async def queued_push_jobs(db) -> list[dict]:
    rows = await db.fetch("SELECT payload FROM pgqueuer WHERE entrypoint = $1 ORDER BY id", PUSH_JOB)
    return [msgspec.json.decode(row["payload"]) for row in rows]


async def test_each_device_gets_one_notice_in_its_language(db, service, worker):
    citizen, order = await citizen_with_order(db, "0101901111", status="out_for_delivery")
    danish, _ = await subscribe(db, service, citizen, "da")
    english, _ = await subscribe(db, service, citizen, "en")
    other_citizen, _other_order = await citizen_with_order(db, "0202902222")
    stranger, _ = await subscribe(db, service, other_citizen, "da")

    async with db.transaction():
        await notify_parcel_change(db, order, 1, "delivered")
        await notify_parcel_change(db, order, 1, "delivered")  # the same status again: still one job
        await notify_parcel_change(db, order, 1, "packed")     # not a citizen-facing status
    [payload] = await queued_push_jobs(db)
    assert payload == {"type": "delivered", "order_id": order, "parcel_no": 1, "key": f"parcel:{order}:1:delivered:0"}

    await worker.handlers[PUSH_JOB](payload, job())
    [da] = service.messages_for(danish)
    [en] = service.messages_for(english)
    assert service.messages_for(stranger) == [] and service.errors == []
    assert da.payload == {"title": "Din pakke er leveret", "body": f"Bestilling {order} er kommet frem.",
                          "url": f"/orders/{order}", "tag": f"parcel-{order}-1", "type": "delivered",
                          "icon": "/static/icons/icon-192.png"}
    assert en.payload["title"] == "Your parcel has been delivered"
    assert en.payload["body"] == f"Order {order} has arrived."
    # Survives a phone being off for days; a later notice for the parcel replaces an undelivered one.
    assert da.ttl == 4 * 24 * 3600 and da.topic == f"parcel-{order}-1" and da.urgency == "normal"

    # The job runs again (at least once): nobody is notified twice.
    await worker.handlers[PUSH_JOB](payload, job())
    assert len(service.messages) == 2
    assert await db.fetchval("SELECT count(*) FROM push_delivery") == 2
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE last_success_at IS NOT NULL") == 2


async def test_gone_devices_are_deleted_and_busy_ones_retried_alone(db, service, worker):
    citizen, order = await citizen_with_order(db, "0303903333", status="handed_to_carrier")
    fine, _ = await subscribe(db, service, citizen, "da")
    gone, gone_id = await subscribe(db, service, citizen, "da", statuses=[410])
    busy, _ = await subscribe(db, service, citizen, "en", statuses=[429])
    payload = {"type": "out_for_delivery", "order_id": order, "parcel_no": 1, "key": f"parcel:{order}:1:ofd:1"}

    with pytest.raises(RetryRequested) as retry:
        await worker.handlers[PUSH_JOB](payload, job(attempts=0))
    assert retry.value.delay.total_seconds() >= 1  # honours Retry-After: 1
    assert len(service.messages_for(fine)) == 1
    assert service.messages_for(busy) == [] and service.messages_for(gone) == []
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE id = $1", gone_id) == 0

    await worker.handlers[PUSH_JOB](payload, job(attempts=1))  # the retry: only the busy device
    assert len(service.messages_for(fine)) == 1
    [late] = service.messages_for(busy)
    assert late.payload["title"] == "Your parcel arrives today" and late.urgency == "high"
    assert service.answered == {201: 2, 410: 1, 429: 1} and service.errors == []


async def test_turned_off_types_are_not_sent(db, service, worker):
    citizen, order = await citizen_with_order(db, "0404904444")
    device, _ = await subscribe(db, service, citizen, "da")
    await db.execute("INSERT INTO push_preference (citizen_id, type, enabled) VALUES ($1, 'order_confirmed', false)",
                     citizen)
    await worker.handlers[PUSH_JOB]({"type": "order_confirmed", "order_id": order, "parcel_no": 1,
                                     "key": f"parcel:{order}:1:placed:0"}, job())
    assert service.messages_for(device) == []


async def test_no_job_for_citizens_without_devices(db):
    _citizen, order = await citizen_with_order(db, "0505905555")
    await notify_parcel_change(db, order, 1, "delivered")
    assert await queued_push_jobs(db) == []


def event(order_id: int, kind: str, **fields) -> bytes:
    return msgspec.json.encode({"type": kind, "event_id": str(uuid.uuid4()), "order_id": order_id,
                                "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"), **fields})


async def post_event(client, body: bytes) -> None:
    response = await client.post("/api/v1/warehouse/events", content=body,
                                 headers=signature_headers(TEST_WAREHOUSE_SECRET.encode(), body)
                                 | {"content-type": "application/json"})
    assert response.status_code == 200, response.text


@pytest.fixture
def worker_process(db_url, service):
    with worker_process_for(db_url, service) as process:
        yield process


async def test_delivered_through_the_webhook_notifies_each_device_once(client, db, service, worker_process):
    citizen, order = await citizen_with_order(db, "0606906666")
    danish, _ = await subscribe(db, service, citizen, "da")
    english, _ = await subscribe(db, service, citizen, "en")
    for kind, fields in [("received", {}), ("picking", {}), ("packed", {}),
                         ("handed_to_carrier", {"carrier": "PostNord", "tracking_no": "PN1",
                                                "tracking_url": "https://tracking.example/PN1"}),
                         ("out_for_delivery", {}), ("delivered", {}), ("delivered", {})]:  # a repeat, new id
        await post_event(client, event(order, kind, **fields))

    def delivered(device):
        return [m for m in service.messages_for(device) if m.payload["type"] == "delivered"]

    for _ in range(150):  # the worker process sends in the background
        if len(delivered(danish)) and len(delivered(english)) and len(service.messages) >= 6:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # time for any (wrong) second notice to arrive
    assert [len(delivered(danish)), len(delivered(english))] == [1, 1]
    assert delivered(danish)[0].payload["title"] == "Din pakke er leveret"
    assert delivered(english)[0].payload["title"] == "Your parcel has been delivered"
    assert sorted(m.payload["type"] for m in service.messages_for(danish)) == [
        "delivered", "handed_to_carrier", "out_for_delivery"]
    assert service.errors == []


async def test_reminders_are_queued_once_per_period_and_land_on_the_reorder_button(db, service, worker, monkeypatch):
    from datetime import timedelta

    from backend.push.rules import COPENHAGEN
    from backend.push.service import plan_reminders
    from tests.factories import make_citizen, make_grant, make_order, make_product

    today = datetime.now(COPENHAGEN).date()
    citizen = await make_citizen(db, "Husk Testesen", "0707907777")
    product = await make_product(db, "Huskepose", 30)
    grant = await make_grant(db, citizen, product, 90, today - timedelta(days=40), valid_to=today + timedelta(days=20))
    await make_order(db, citizen, grant, product, 3, 30, today - timedelta(days=25))   # 90 pieces: runs out in 5 days
    device, _ = await subscribe(db, service, citizen, "en")
    noon = datetime.combine(today, datetime.min.time().replace(hour=12), COPENHAGEN)

    assert await plan_reminders(db, noon.replace(hour=22)) == 0            # quiet hours
    assert await plan_reminders(db, noon) == 2                             # reorder + grant expiring
    assert await plan_reminders(db, noon.replace(hour=15)) == 0            # once per period
    monkeypatch.setattr("backend.push.jobs.utc_now", lambda: noon.replace(hour=22))
    with pytest.raises(RetryRequested) as later:                           # not sent in quiet hours
        await worker.handlers[PUSH_JOB]((await queued_push_jobs(db))[0], job())
    assert 9 * 3600 <= later.value.delay.total_seconds() <= 11 * 3600     # 22:00 → 08:00 (DST aside)
    monkeypatch.setattr("backend.push.jobs.utc_now", lambda: noon)
    for payload in await queued_push_jobs(db):
        await worker.handlers[PUSH_JOB](payload, job())
    by_type = {m.payload["type"]: m.payload for m in service.messages_for(device)}
    assert by_type["time_to_reorder"]["url"] == "/?source=reminder#reorder-heading"
    assert by_type["time_to_reorder"]["title"] == "Time to order again"
    assert by_type["grant_expiring"]["body"].startswith("A grant ends on ")
