"""One tap in a real browser: receipt, cancel; and an offline tap that is sent exactly once."""

import re

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import assert_accessible, signed_in_phone
from tests.e2e.test_offline_orders_browser import kept_orders, orders_with_key


async def orders_of(db, citizen):
    return await db.fetch("SELECT id, status FROM order_ WHERE citizen_id = $1 AND placed_at > now() - interval '1 hour'"
                          " ORDER BY id", citizen)


async def test_tap_receipt_cancel_then_offline_tap_is_sent_once(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    context, page, errors = await signed_in_phone(browser, live_server, name)

    # One tap, no confirmation step: the receipt.
    await page.get_by_role("button", name="Bestil igen").click()
    await page.get_by_text("Tak, vi har modtaget din bestilling").wait_for()
    assert re.search(r"/orders/\d+$", page.url)
    await assert_accessible(page)
    placed = await orders_of(db, citizen)
    assert [row["status"] for row in placed] == ["placed"]
    assert await page.get_by_text("diskret emballage").count() >= 1

    # Fortryd (asks first).
    await page.get_by_role("link", name="Fortryd bestilling").click()
    await page.get_by_role("button", name="Ja, fortryd bestillingen").click()
    await page.get_by_text("Bestillingen er annulleret").wait_for()
    assert [row["status"] for row in await orders_of(db, citizen)] == ["cancelled"]

    # Offline: the tap is kept on the phone, the page says so, nothing reaches the server.
    await page.goto(live_server + "/")
    await page.get_by_role("button", name="Bestil igen").wait_for()
    await context.set_offline(True)
    await page.get_by_text("Du er offline. Hvis du trykker på knappen").wait_for()
    await page.get_by_role("button", name="Bestil igen").click()
    await page.get_by_role("heading", name="Din bestilling venter på at blive sendt").wait_for()
    assert len(await orders_of(db, citizen)) == 1
    [kept] = await kept_orders(context)

    # Back online: the kept order is sent once and the receipt is shown.
    await context.set_offline(False)
    await page.wait_for_url(re.compile(r".*/orders/\d+$"), timeout=15000)
    await page.get_by_text("Tak, vi har modtaget din bestilling").wait_for()
    rows = await orders_of(db, citizen)
    assert [row["status"] for row in rows] == ["cancelled", "placed"]
    assert await orders_with_key(db, kept["key"]) == 1
    assert await kept_orders(context) == []
    # Coming online again (or reloading) never sends it twice.
    await page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'send-orders'})")
    await page.reload()
    assert len(await orders_of(db, citizen)) == 2
    assert await orders_with_key(db, kept["key"]) == 1
    assert errors == []
    await context.close()
