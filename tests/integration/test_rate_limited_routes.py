"""Rate limits on the citizen's routes and the webhook: the issue's numbers (book-and-cancel cycles,
push devices) with the production defaults; the live order check, the renewal and the webhook
with small limits. A refused request answers 429 with Retry-After and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from backend.push.vapid import b64url
from backend.warehouse.signing import signature_headers
from tests.conftest import PRODUCTION_LIMITS, TEST_WAREHOUSE_SECRET, csrf_token, login
from tests.factories import make_citizen, make_grant, make_product
from tests.integration.callback_helpers import book_directly, booking_form, counts, free_slot
from tests.integration.rate_limit_helpers import retry_after
from tests.integration.test_push_subscriptions import device_json, post_json
from tests.push_fixtures import push_settings


@pytest.fixture
def settings():
    return push_settings(**PRODUCTION_LIMITS | dict(rate_limit_order_check="off,3/1m", rate_limit_push_renew="2/1m,1/1m",
                         rate_limit_warehouse="off,3/1m"))


async def test_book_and_cancel_cycles_stop_after_ten_changes_an_hour(client, db):
    """Issue: 50 book-and-cancel cycles wrote 50 callbacks and 50 reminder jobs."""
    citizen = await make_citizen(db, "Cyklus Testesen", "0303801234")
    await login(client, citizen)
    slot, token = await free_slot(db), await csrf_token(client)
    before = await counts(db)
    statuses = []
    for _ in range(8):
        booked = await client.post("/callbacks", data=booking_form(slot, token), follow_redirects=False)
        statuses.append(booked.status_code)
        if booked.status_code != 303:
            break
        callback_id = booked.headers["location"].split("booked=")[1]
        cancelled = await client.post(f"/callbacks/{callback_id}/cancel", data={"_csrf_token": token},
                                      follow_redirects=False)
        statuses.append(cancelled.status_code)
    assert statuses == [303] * 10 + [429]
    after = await counts(db)
    assert after["callback"] - before["callback"] == 5
    assert after["jobs"] - before["jobs"] <= 5
    # Refused: booking, and cancelling a callback booked before (as staff might have).
    open_id = await book_directly(db, citizen, await free_slot(db, day_index=5))
    after = await counts(db)
    refused = await client.post(f"/callbacks/{open_id}/cancel", data={"_csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 429 and 3000 <= retry_after(refused) <= 3600
    assert "Vent 60 minutter" in refused.text
    assert await db.fetchval("SELECT status FROM callback WHERE id = $1", open_id) == "waiting"
    assert await counts(db) == after


async def test_a_citizen_turns_on_at_most_ten_devices_an_hour(client, db):
    """Issue: 200 push devices for one citizen were accepted (each replacing the oldest)."""
    citizen = await make_citizen(db, "Mange Telefoner", "0404801234")
    await login(client, citizen)
    answers = [await post_json(client, "/notifications/subscriptions", device_json(f"https://fcm.googleapis.com/fcm/send/d{i}"))
               for i in range(12)]
    assert [a.status_code for a in answers] == [201] * 10 + [429] * 2
    refused = answers[-1]
    assert refused.json() == {"detail": "Du har prøvet mange gange på kort tid. Vent 60 minutter, og prøv så igen."}
    assert retry_after(refused) > 3000
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE citizen_id = $1", citizen) == 10
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'push_subscribed'") == 10


async def test_the_live_order_check_is_limited_per_citizen_with_a_short_htmx_answer(client, db):
    citizen = await make_citizen(db, "Tjek Testesen", "0505801234")
    grant = await make_grant(db, citizen, await make_product(db, "Tjekpose", 30), 90, dt.date.today() - dt.timedelta(days=3))
    await login(client, citizen)
    form = {f"packs-{grant}": "1", "_csrf_token": await csrf_token(client)}
    answers = [await client.post("/orders/new/check", data=form, headers={"HX-Request": "true"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["hx-reswap"] == "none" and retry_after(refused) <= 60
    assert refused.text == "Du har prøvet mange gange på kort tid. Vent et minut, og prøv så igen."
    # The order itself is not limited: the one tap and the form still place orders.
    placed = await client.post("/orders/", data=form | {"idempotency_key": str(uuid.uuid4())}, follow_redirects=False)
    assert placed.status_code == 303
    # A boosted form (htmx) gets the whole page in place of the body.
    boosted = await client.post("/orders/new/check", data=form, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 429 and boosted.headers["hx-retarget"] == "body" and "For mange forsøg" in boosted.text


async def test_the_renewal_is_limited_per_client_before_lookup_and_per_citizen(client, db):
    citizen = await make_citizen(db, "Forny Grænse", "0606801234")
    old, new, newer = (device_json(f"https://updates.push.services.mozilla.com/wpush/v2/{n}") for n in ("a", "b", "c"))
    await db.execute("INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)",
                     citizen, old["endpoint"], old["keys"]["p256dh"], old["keys"]["auth"])
    url = "/notifications/subscriptions/renew"
    first = await client.post(url, json=new | {"old_endpoint": old["endpoint"], "old_auth": old["keys"]["auth"]})
    assert first.status_code == 200
    # The same citizen again within the minute: over the per-citizen limit (1), nothing written.
    second = await client.post(url, json=newer | {"old_endpoint": new["endpoint"], "old_auth": new["keys"]["auth"]})
    assert second.status_code == 429 and "detail" in second.json()
    assert await db.fetchval("SELECT endpoint FROM push_subscription WHERE citizen_id = $1", citizen) == new["endpoint"]
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'push_subscription_renewed'") == 1
    # The client's third request (2 a minute) is refused before anything is looked up.
    guess = await client.post(url, json=newer | {"old_endpoint": old["endpoint"], "old_auth": b64url(b"z" * 16)})
    assert guess.status_code == 429


async def test_the_webhook_is_limited_per_partner_with_a_problem_answer(client, db):
    citizen = await make_citizen(db, "Pakke Grænse", "0707801234")
    grant = await make_grant(db, citizen, await make_product(db, "Grænsepose", 30), 90, dt.date.today() - dt.timedelta(days=3))
    await login(client, citizen)
    placed = await client.post("/orders/", data={f"packs-{grant}": "1", "idempotency_key": str(uuid.uuid4()),
                                                 "_csrf_token": await csrf_token(client)}, follow_redirects=False)
    order_id = int(placed.headers["location"].rsplit("/", 1)[1])
    answers = []
    for step, type_ in enumerate(("received", "picking", "packed", "handed_to_carrier")):
        body = {"type": type_, "event_id": f"rl-{step}", "order_id": order_id,
                "occurred_at": (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=step)).isoformat().replace("+00:00", "Z")}
        if type_ == "handed_to_carrier":
            body |= {"carrier": "GLS", "tracking_no": "1", "tracking_url": "https://gls.example/1"}
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **signature_headers(TEST_WAREHOUSE_SECRET.encode(), raw)}
        answers.append(await client.post("/api/v1/warehouse/events", content=raw, headers=headers))
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json") and refused.json()["status"] == 429
    assert retry_after(refused) <= 60
    assert await db.fetchval("SELECT count(*) FROM warehouse_event WHERE order_id = $1", order_id) == 3
    assert await db.fetchval("SELECT count(*) FROM webhook_signature") == 3
    assert await db.fetchval("SELECT status FROM parcel WHERE order_id = $1", order_id) == "packed"
