"""Cancelling is a request until the warehouse answers; the receipt follows the order's real state.

The warehouse's answers are recorded through ``cancel.settle`` (what the worker's withdrawal job
calls); tests/e2e/test_cancel_race.py drives the real worker and simulator against each other.
"""

import datetime as dt
import re

import pytest

from backend.orders.cancel import WarehouseAnswer, settle
from tests.conftest import csrf_token, login
from tests.factories import make_citizen, make_grant, make_product
from tests.integration.test_orders import custom, order_id_from
from tests.integration.test_webhook import event, send


@pytest.fixture
async def citizen(db):
    cid = await make_citizen(db, "Fortryd Testesen", "1212801234")
    product = await make_product(db, "Fortrydpose", 30)
    grant = await make_grant(db, cid, product, 90, dt.date.today() - dt.timedelta(days=3))
    return {"id": cid, "grant": grant}


async def place(client, db, citizen, handed_off: bool = True) -> int:
    await login(client, citizen["id"])
    order_id = order_id_from(await custom(client, {citizen["grant"]: 3}))
    if handed_off:  # as the worker's hand-off leaves it once the warehouse accepted the pick list
        await db.execute("UPDATE order_ SET handoff_state = 'accepted', handed_off_at = now() WHERE id = $1", order_id)
    return order_id


async def cancel(client, order_id: int, **headers):
    return await client.post(f"/orders/{order_id}/cancel", data={"_csrf_token": await csrf_token(client)},
                             headers=headers, follow_redirects=False)


async def allocated(db, order_id: int) -> int:
    return await db.fetchval("SELECT coalesce(sum(pieces), 0) FROM grant_allocation WHERE order_id = $1", order_id)


async def state(db, order_id: int) -> tuple:
    row = await db.fetchrow("SELECT status, cancel_state FROM order_ WHERE id = $1", order_id)
    return row["status"], row["cancel_state"]


async def test_cancel_after_hand_off_is_a_request_that_keeps_the_allocation(client, db, citizen):
    order_id = await place(client, db, citizen)
    response = await cancel(client, order_id)
    assert response.status_code == 303 and response.headers["location"] == f"/orders/{order_id}"
    assert await state(db, order_id) == ("placed", "requested")
    assert await allocated(db, order_id) == 90  # nothing is freed before the warehouse answers
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE dedupe_key = $1", f"order_cancelled:{order_id}") == 1
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Annullering anmodet" in page and "Fortryd bestilling" not in page and "Tak, vi har modtaget" not in page
    # A second tap while waiting changes nothing and queues nothing new.
    assert (await cancel(client, order_id)).status_code == 303
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_cancelled'") == 1
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'order_cancel_requested'") == 1


async def test_the_warehouse_confirms_and_only_then_the_quota_is_free(client, db, citizen):
    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    assert await settle(db, order_id, WarehouseAnswer.WITHDRAWN)
    assert await state(db, order_id) == ("cancelled", "confirmed")
    assert await allocated(db, order_id) == 0
    assert await db.fetchval("SELECT withdrawal_confirmed FROM order_ WHERE id = $1", order_id)
    assert await db.fetchval("SELECT sum(pieces) FROM grant_allocation_released WHERE order_id = $1", order_id) == 90
    assert not await settle(db, order_id, WarehouseAnswer.TOO_LATE)  # decided once
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Bestillingen er annulleret" in page and "Forventet levering" not in page
    # The live update the open receipt polls for says the same (no expected date left behind).
    live = (await client.get(f"/orders/{order_id}", headers={"HX-Request": "true"})).text
    assert "<html" not in live and "Bestillingen er annulleret" in live and "Forventet levering" not in live
    assert 'data-testid="address"' in live  # the facts are part of the live block, so they are replaced too
    # The freed quota can be ordered again: all 9 packs the supply horizon allows.
    order_id_from(await custom(client, {citizen["grant"]: 9}))


async def test_too_late_keeps_the_order_and_tells_the_citizen_and_fsc(client, db, citizen):
    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    assert (await send(client, event(order_id, "received"))).status_code == 200
    assert (await send(client, event(order_id, "picking"))).status_code == 200
    assert await settle(db, order_id, WarehouseAnswer.TOO_LATE, "HTTP 409: picking started")
    assert await state(db, order_id) == ("picking", "refused")
    assert await allocated(db, order_id) == 90
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Det var for sent at fortryde" in page and "Fortryd bestilling" not in page
    assert await db.fetchval("SELECT kind FROM order_attention WHERE order_id = $1 AND handled_at IS NULL",
                             order_id) == "cancel_refused"
    # The quota stays used: 3 of the 9 packs the supply horizon allows are taken.
    again = await custom(client, {citizen["grant"]: 7})
    assert again.status_code == 422
    # Trying to cancel once more: told plainly, on the receipt (not on a POST-only URL).
    response = await cancel(client, order_id)
    assert response.status_code == 303 and response.headers["location"] == f"/orders/{order_id}"
    page = await client.get(response.headers["location"])
    assert "kan ikke længere fortrydes" in page.text
    # The message is shown once.
    assert "kan ikke længere fortrydes" not in (await client.get(f"/orders/{order_id}")).text
    # The parcel goes on to delivery as usual.
    assert (await send(client, event(order_id, "delivered"))).status_code == 200
    assert await state(db, order_id) == ("delivered", "refused")


async def test_cancel_before_the_pick_list_was_sent_is_confirmed_at_once(client, db, citizen):
    order_id = await place(client, db, citizen, handed_off=False)
    assert (await cancel(client, order_id)).status_code == 303
    assert await state(db, order_id) == ("cancelled", "confirmed")
    assert await allocated(db, order_id) == 0
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_cancelled'") == 0
    response = await cancel(client, order_id)
    assert response.status_code == 303
    assert "allerede annulleret" in (await client.get(response.headers["location"])).text


async def test_event_for_a_withdrawn_order_is_refused_and_fsc_is_told(client, db, citizen):
    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    await settle(db, order_id, WarehouseAnswer.WITHDRAWN)
    response = await send(client, event(order_id, "delivered"))
    assert response.status_code == 409
    assert await db.fetchval("SELECT status FROM parcel WHERE order_id = $1", order_id) == "placed"
    assert await state(db, order_id) == ("cancelled", "confirmed")
    assert await db.fetchval("SELECT count(*) FROM warehouse_event WHERE order_id = $1", order_id) == 0
    assert await db.fetchval("SELECT kind FROM order_attention WHERE order_id = $1", order_id) == "event_refused"


async def test_news_from_before_the_withdrawal_arriving_after_it_is_taken_quietly(client, db, citizen):
    """The warehouse's "received" (or a backorder found at receipt) can reach us after its own
    withdrawal confirmation (its outbox retries; the confirmation came back on the withdrawal
    call). Neither contradicts a withdrawal, which is only possible before picking: taken, nothing
    changes, FSC is not asked to look (seen as a flake of the cancel race test in a full run)."""
    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    await settle(db, order_id, WarehouseAnswer.WITHDRAWN)
    for news in (event(order_id, "received"),
                 event(order_id, "item_backordered", item_no="X-1", expected_date=dt.date.today().isoformat(),
                       reason="Udsolgt", reason_code="out_of_stock")):
        response = await send(client, news)
        assert response.status_code == 200, response.text
    assert await state(db, order_id) == ("cancelled", "confirmed")
    assert await db.fetchval("SELECT status FROM parcel WHERE order_id = $1", order_id) == "placed"
    assert await db.fetchval("SELECT count(*) FROM backorder WHERE order_id = $1", order_id) == 0
    assert await db.fetchval("SELECT count(*) FROM order_attention WHERE order_id = $1", order_id) == 0
    assert await allocated(db, order_id) == 0
    assert (await send(client, event(order_id, "picking"))).status_code == 409  # picking would contradict it


async def test_event_for_an_order_cancelled_without_the_warehouse_reinstates_it(client, db, citizen):
    """The warehouse never confirmed a withdrawal (it answered 'unknown order'), then reports on it:
    the parcel ships, so the order and its quota come back and the citizen and FSC are told."""
    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    await settle(db, order_id, WarehouseAnswer.NEVER_HAD_IT)
    assert await state(db, order_id) == ("cancelled", "confirmed")
    response = await send(client, event(order_id, "picking"))
    assert response.status_code == 200, response.text
    assert await state(db, order_id) == ("picking", "refused")
    assert await allocated(db, order_id) == 90
    assert await db.fetchval("SELECT count(*) FROM order_attention WHERE order_id = $1", order_id) == 1
    assert "Det var for sent at fortryde" in (await client.get(f"/orders/{order_id}")).text


async def test_a_new_parcel_number_is_refused_unless_a_split_made_it(client, db, citizen):
    order_id = await place(client, db, citizen)
    for type_ in ("received", "picking", "packed"):
        await send(client, event(order_id, type_))
    await send(client, event(order_id, "handed_to_carrier", carrier="GLS", tracking_no="1",
                             tracking_url="https://gls.example/1"))
    await send(client, event(order_id, "delivered"))
    response = await send(client, event(order_id, "received", parcel_no=7))
    assert response.status_code == 409
    assert await db.fetchval("SELECT count(*) FROM parcel WHERE order_id = $1", order_id) == 1
    assert await state(db, order_id) == ("delivered", None)
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Din pakke blev leveret den" in page
    assert "Tak, vi har modtaget" not in page and "Fortryd bestilling" not in page and "Forventet levering" not in page


async def test_split_makes_parcel_two_where_the_order_is(client, db, citizen):
    order_id = await place(client, db, citizen)
    await send(client, event(order_id, "received"))
    await send(client, event(order_id, "picking"))
    await send(client, event(order_id, "item_backordered", item_no=await db.fetchval(
        "SELECT p.item_no FROM order_line l JOIN product p ON p.id = l.product_id WHERE l.order_id = $1", order_id),
        expected_date=(dt.date.today() + dt.timedelta(days=9)).isoformat(),
        reason="Out of stock at the manufacturer", reason_code="out_of_stock_manufacturer"))
    page = (await client.get(f"/orders/{order_id}")).text
    assert "Producenten har ikke produktet på lager." in page and "Out of stock" not in page
    # While the whole order waits for the product, the expected delivery follows its date.
    expected = re.search(r'data-testid="expected">([^<]+)<', page).group(1)
    restock = dt.date.today() + dt.timedelta(days=9)
    from backend.calendar_dk import add_working_days
    from backend.i18n import format_date, current_language
    token = current_language.set("da")
    try:
        assert expected == format_date(add_working_days(restock, 3))
    finally:
        current_language.reset(token)
    response = await client.post(f"/orders/{order_id}/backorder", data={
        "decision": "split", "_csrf_token": await csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303
    parcels = await db.fetch("SELECT parcel_no, status FROM parcel WHERE order_id = $1 ORDER BY parcel_no", order_id)
    assert [(p["parcel_no"], p["status"]) for p in parcels] == [(1, "picking"), (2, "picking")]
    assert (await send(client, event(order_id, "packed", parcel_no=2))).status_code == 200
    assert await state(db, order_id) == ("picking", None)  # as far as the least advanced parcel


async def test_get_on_post_only_urls_goes_to_the_page(client, db, citizen):
    order_id = await place(client, db, citizen)
    confirm = await client.get(f"/orders/{order_id}/cancel")
    assert confirm.status_code == 200 and "Vil du fortryde bestilling" in confirm.text  # the confirm page
    await send(client, event(order_id, "received"))
    await send(client, event(order_id, "picking"))
    for url, target in [(f"/orders/{order_id}/cancel", f"/orders/{order_id}"),  # too late to confirm anything
                        (f"/orders/{order_id}/backorder", f"/orders/{order_id}"),
                        ("/orders/reorder", "/"), ("/orders/new/check", "/orders/new")]:
        response = await client.get(url, follow_redirects=False)
        assert (response.status_code, response.headers.get("location")) == (303, target), url


async def test_refused_cancel_with_htmx_lands_on_the_receipt(client, db, citizen):
    order_id = await place(client, db, citizen)
    await send(client, event(order_id, "received"))
    await send(client, event(order_id, "picking"))
    response = await cancel(client, order_id, **{"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 200 and f'"/orders/{order_id}"' in response.headers["hx-location"]
    assert "kan ikke længere fortrydes" in (await client.get(f"/orders/{order_id}")).text


async def test_a_forged_flash_cookie_is_ignored(client, db, citizen):
    order_id = await place(client, db, citizen)
    client.cookies.set("fsc_flash", "WyJlcnJvciIsICJIYWNrZWQiXQ==.AAAA")
    assert "Hacked" not in (await client.get(f"/orders/{order_id}")).text


async def test_fsc_sees_a_refused_cancel_and_marks_it_handled(client, db, citizen):
    from tests.integration.test_staff import post, staff_id, staff_login

    order_id = await place(client, db, citizen)
    await cancel(client, order_id)
    await settle(db, order_id, WarehouseAnswer.TOO_LATE, "HTTP 409")
    assert (await client.get("/fsc/orders/attention", follow_redirects=False)).status_code == 403  # a citizen
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))
    page = (await client.get("/fsc/orders/attention")).text
    assert f'data-testid="attention-{order_id}"' in page and "For sent at fortryde" in page
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'staff_viewed_order_attention'") == 1
    item = await db.fetchval("SELECT id FROM order_attention WHERE order_id = $1", order_id)
    assert (await post(client, f"/fsc/orders/attention/{item}/handled")).status_code == 303
    assert await db.fetchval("SELECT handled_by FROM order_attention WHERE id = $1", item) == await staff_id(db, "Anne Holm")
    assert "Intet at følge op på." in (await client.get("/fsc/orders/attention")).text


async def test_the_warehouse_answer_is_pushed_to_a_subscribed_citizen(client, db, citizen):
    import msgspec

    from backend.push.notices import NoticeType, build

    await db.execute("""INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth)
                        VALUES ($1, 'https://fcm.googleapis.com/fcm/send/x', 'k', 'a')""", citizen["id"])
    refused, confirmed = await place(client, db, citizen), await place(client, db, citizen)
    for order_id in (refused, confirmed):
        await cancel(client, order_id)
    await settle(db, refused, WarehouseAnswer.TOO_LATE)
    await settle(db, confirmed, WarehouseAnswer.WITHDRAWN)
    jobs = {row["dedupe_key"]: msgspec.json.decode(row["payload"]) for row in
            await db.fetch("SELECT dedupe_key, payload FROM pgqueuer WHERE entrypoint = 'push_notify'")}
    assert jobs[f"parcel:{refused}:1:cancel_refused:0"]["type"] == "cancel_refused"
    assert jobs[f"parcel:{confirmed}:1:cancelled:0"]["type"] == "order_cancelled"
    payload = msgspec.json.decode(build(NoticeType.CANCEL_REFUSED, "da", url="/orders/1", tag="parcel-1-1",
                                        values={"order": "1"}))
    assert payload["title"] == "Det var for sent at fortryde" and "bliver sendt som normalt" in payload["body"]
