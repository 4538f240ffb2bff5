"""The signed warehouse/carrier webhook: authentication, validation, idempotency, ordering."""

import datetime as dt
import itertools
import json
import time
import uuid

import pytest

from backend.warehouse.signing import signature_headers
from tests.conftest import TEST_WAREHOUSE_SECRET, csrf_token, login
from tests.factories import make_citizen, make_grant, make_product

URL = "/api/v1/warehouse/events"
_ids = itertools.count(1)


def event(order_id: int, type_: str, **extra) -> dict:
    occurred = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=next(_ids))
    return {"type": type_, "event_id": f"t-{uuid.uuid4().hex[:12]}", "order_id": order_id,
            "occurred_at": occurred.isoformat().replace("+00:00", "Z"), **extra}


async def send(client, body: dict | bytes, *, secret: str = TEST_WAREHOUSE_SECRET, now: float | None = None,
               headers: dict | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = signature_headers(secret.encode(), raw, now=now)
    return await client.post(URL, content=raw, headers={"Content-Type": "application/json", **signed,
                                                          **(headers or {})})


@pytest.fixture
async def order_id(client, db):
    citizen = await make_citizen(db, "Pakke Testesen", "1313801234")
    product = await make_product(db, "Sporingspose", 30)
    grant = await make_grant(db, citizen, product, 90, dt.date.today() - dt.timedelta(days=3))
    await login(client, citizen)
    response = await client.post("/orders/", data={f"packs-{grant}": "1", "idempotency_key": str(uuid.uuid4()),
                                                   "_csrf_token": await csrf_token(client)}, follow_redirects=False)
    return int(response.headers["location"].rsplit("/", 1)[1])


async def written(db):
    return (await db.fetchval("SELECT count(*) FROM warehouse_event"),
            await db.fetchval("SELECT count(*) FROM webhook_signature"),
            await db.fetchval("SELECT string_agg(status || attempt, ',' ORDER BY order_id) FROM parcel"))


async def test_events_move_the_parcel_and_the_order(client, db, order_id):
    for type_, extra in [("received", {}), ("picking", {}), ("packed", {}),
                         ("handed_to_carrier", {"carrier": "GLS", "tracking_no": "123456",
                                                "tracking_url": "https://gls.example/123456"}),
                         ("out_for_delivery", {"attempt": 1})]:
        response = await send(client, event(order_id, type_, **extra))
        assert response.status_code == 200 and response.json()["status"] == "applied", response.text
    parcel = await db.fetchrow("SELECT * FROM parcel WHERE order_id = $1", order_id)
    assert (parcel["status"], parcel["carrier"], parcel["tracking_no"]) == ("out_for_delivery", "GLS", "123456")
    assert await db.fetchval("SELECT status FROM order_ WHERE id = $1", order_id) == "out_for_delivery"
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Følg pakken hos GLS (nummer 123456)" in page and "Ude til levering" in page
    assert 'hx-trigger="every 10s"' in page
    await send(client, event(order_id, "delivered"))
    page = (await client.get(f"/orders/{order_id}")).text
    assert 'hx-trigger="every 10s"' not in page  # live updates stop when delivered
    fragment = await client.get(f"/orders/{order_id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="tracking"')


async def test_same_event_id_applies_once_and_late_events_never_go_back(client, db, order_id):
    delivered = event(order_id, "delivered")
    assert (await send(client, delivered)).json()["status"] == "applied"
    again = await send(client, delivered, now=time.time() + 1)  # a retry is signed anew
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    late = await send(client, event(order_id, "packed"))
    assert late.status_code == 200
    assert await db.fetchval("SELECT status FROM parcel WHERE order_id = $1", order_id) == "delivered"
    assert await db.fetchval("SELECT count(*) FROM warehouse_event WHERE event_id = $1", delivered["event_id"]) == 1


async def test_failed_attempt_then_new_attempt(client, db, order_id):
    await send(client, event(order_id, "out_for_delivery", attempt=1))
    await send(client, event(order_id, "delivery_failed", attempt=1, reason="Ingen hjemme"))
    await send(client, event(order_id, "out_for_delivery", attempt=1))  # late, of the failed attempt
    assert await db.fetchval("SELECT status FROM parcel WHERE order_id = $1", order_id) == "delivery_failed"
    await send(client, event(order_id, "out_for_delivery", attempt=2))
    row = await db.fetchrow("SELECT status, attempt, failure_reason FROM parcel WHERE order_id = $1", order_id)
    assert tuple(row) == ("out_for_delivery", 2, "Ingen hjemme")


async def test_bad_signature_stale_and_replayed_requests_are_401_and_write_nothing(client, db, order_id):
    before = await written(db)
    body = json.dumps(event(order_id, "received")).encode()
    assert (await send(client, body, secret="x" * 40)).status_code == 401
    assert (await send(client, body, now=time.time() - 3600)).status_code == 401
    assert (await client.post(URL, content=body, headers={"Content-Type": "application/json"})).status_code == 401
    assert await written(db) == before
    signed = signature_headers(TEST_WAREHOUSE_SECRET.encode(), body)
    first = await client.post(URL, content=body, headers={"Content-Type": "application/json", **signed})
    assert first.status_code == 200
    after_first = await written(db)
    replay = await client.post(URL, content=body, headers={"Content-Type": "application/json", **signed})
    assert replay.status_code == 401 and "replayed" in replay.json()["detail"]
    assert await written(db) == after_first


async def test_malformed_unknown_type_and_unknown_order(client, db, order_id):
    before = await written(db)
    bad = await send(client, b"{not json")
    assert bad.status_code == 422
    unknown = await send(client, {**event(order_id, "received"), "type": "teleported"})
    assert unknown.status_code == 422
    missing = await send(client, event(order_id, "handed_to_carrier"))  # no carrier fields
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} & {"carrier", "tracking_no", "tracking_url", "$"}
    nobody = await send(client, event(99999999, "received"))
    assert nobody.status_code == 404 and nobody.headers["content-type"].startswith("application/problem+json")
    assert await written(db) == before


async def test_backorder_then_the_citizen_chooses(client, db, order_id):
    item = await db.fetchval("SELECT p.item_no FROM order_line l JOIN product p ON p.id = l.product_id"
                             " WHERE l.order_id = $1", order_id)
    await send(client, event(order_id, "received"))
    await send(client, event(order_id, "item_backordered", item_no=item, expected_date="2030-01-15",
                             reason="Udsolgt hos producenten"))
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Et produkt er midlertidigt udsolgt" in page and "Sporingspose forventes på lager igen" in page
    token = await csrf_token(client)
    bad = await client.post(f"/orders/{order_id}/backorder", data={"decision": "maybe", "_csrf_token": token})
    assert bad.status_code == 200 and str(bad.url).endswith(f"/orders/{order_id}")  # told why, on the receipt
    assert "Vælg, om du vil vente, eller om resten skal sendes nu." in bad.text
    assert await db.fetchval("SELECT decision FROM backorder WHERE order_id = $1", order_id) is None
    ok = await client.post(f"/orders/{order_id}/backorder", data={"decision": "split", "_csrf_token": token},
                           follow_redirects=False)
    assert ok.status_code == 303
    assert await db.fetchval("SELECT decision FROM backorder WHERE order_id = $1", order_id) == "split"
    job = await db.fetchrow("SELECT payload FROM pgqueuer WHERE entrypoint = 'backorder_decision'")
    assert json.loads(job["payload"]) == {"order_id": order_id, "decision": "split"}
    twice = await client.post(f"/orders/{order_id}/backorder", data={"decision": "wait", "_csrf_token": token},
                              follow_redirects=False)
    assert twice.status_code == 303 and twice.headers["location"] == f"/orders/{order_id}"
    assert await db.fetchval("SELECT decision FROM backorder WHERE order_id = $1", order_id) == "split"
    # Parcel 2 appears with its own events; the order is delivered only when both parcels are.
    await send(client, event(order_id, "delivered", parcel_no=1))
    await send(client, event(order_id, "packed", parcel_no=2))
    assert await db.fetchval("SELECT status FROM order_ WHERE id = $1", order_id) == "packed"
    await send(client, event(order_id, "delivered", parcel_no=2))
    assert await db.fetchval("SELECT status FROM order_ WHERE id = $1", order_id) == "delivered"


async def test_webhook_is_documented_in_openapi(client):
    schema = (await client.get("/api/docs/openapi.json")).json()
    operation = schema["paths"][URL]["post"]
    assert "delivered" in operation["description"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert {"received", "handed_to_carrier", "item_backordered"} <= set(examples)
