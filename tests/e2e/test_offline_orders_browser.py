"""Orders kept on the phone by the service worker, in a real Chromium against the real server:
kept until the server accepts them (the receipt) or refuses them (the reason is shown), kept
through an expired session (sent once after the next login), kept through server trouble."""

from __future__ import annotations

import re
import uuid

from backend.orders.models import Actor, OrderRejected, PlaceOrder
from backend.orders.service import place_order
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import assert_accessible, signed_in_phone

# Read straight from IndexedDB (not through the worker's own functions).
KEPT = """new Promise((resolve, reject) => {
    const open = indexedDB.open("fsc-outbox");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains("orders")) { db.close(); resolve([]); return; }
        const all = db.transaction("orders").objectStore("orders").getAll();
        all.onsuccess = () => { db.close(); resolve(all.result); };
        all.onerror = () => reject(all.error);
    };
})"""


async def kept_orders(context) -> list[dict]:
    """What the service worker keeps in its outbox (IndexedDB)."""
    [worker] = context.service_workers
    return await worker.evaluate(KEPT)


async def worker_done_with(context, page) -> None:
    """Wait until the worker has heard who is on ``page`` and finished the run that followed."""
    owner = await page.get_attribute("[data-outbox]", "data-owner")
    [worker] = context.service_workers
    await worker.evaluate("""async (owner) => {
        for (let i = 0; i < 300; i++) {
            await sending;
            if ((await currentOwner()) === owner) { await sending; return; }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error("the worker never heard from this page");
    }""", owner)


async def orders_with_key(db, key: str) -> int:
    return await db.fetchval("SELECT count(*) FROM order_ WHERE idempotency_key = $1", uuid.UUID(key))


async def tap_while_offline(context, page) -> str:
    """Tap "Bestil igen" with the phone offline; returns the kept order's idempotency key."""
    await context.set_offline(True)
    await page.get_by_text("Du er offline. Hvis du trykker på knappen").wait_for()
    await page.get_by_role("button", name="Bestil igen").click()
    await page.get_by_role("heading", level=1, name="Din bestilling venter på at blive sendt").wait_for()
    [kept] = await kept_orders(context)
    return kept["key"]


async def demo_citizen(db) -> tuple[int, str]:
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    return citizen, await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)


async def test_a_refused_kept_order_shows_the_reason_and_is_not_kept(live_server, browser, db):
    citizen, name = await demo_citizen(db)
    context, page, errors = await signed_in_phone(browser, live_server, name)
    key = await tap_while_offline(context, page)

    # Meanwhile the grants were used up (say, by phone with Fælles Service Center): a one tap now
    # is refused, and the server says why.
    reason = None
    for _attempt in range(10):
        try:
            await place_order(db, PlaceOrder(citizen_id=citizen, key=uuid.uuid4(), actor=Actor("citizen", citizen)),
                              local_today())
        except OrderRejected as refused:
            reason = refused.message
            break
    assert reason
    orders = await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1", citizen)

    # Back online: the page that said "waiting" gives way to the front page, which says why the
    # order was refused (not "sent", not "waiting"); nothing was ordered, nothing is kept.
    await context.set_offline(False)
    refused = "Vi kunne ikke tage imod den bestilling, der var gemt på telefonen"
    alert = page.get_by_role("alert").filter(has_text=refused)
    await alert.wait_for()
    assert page.url == live_server + "/"
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    text = await alert.inner_text()
    assert reason in text and "Der er ikke bestilt noget." in text
    assert await page.get_by_role("heading", name="Din bestilling venter på at blive sendt").count() == 0
    assert await page.get_by_text("Din bestilling er sendt").is_hidden()
    assert await orders_with_key(db, key) == 0
    assert await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1", citizen) == orders
    assert await kept_orders(context) == []
    await assert_accessible(page)

    # Told once: the next page does not repeat it.
    await page.get_by_role("link", name="Mine bestillinger").first.click()
    await page.get_by_role("heading", level=1, name="Mine bestillinger").wait_for()
    await worker_done_with(context, page)
    assert await page.get_by_role("alert").count() == 0
    assert errors == []
    await context.close()


async def test_a_kept_order_waits_for_the_next_login_and_is_sent_once(live_server, browser, db):
    citizen, name = await demo_citizen(db)
    context, page, errors = await signed_in_phone(browser, live_server, name)
    key = await tap_while_offline(context, page)

    # The session ends while the phone is offline.
    await db.execute("DELETE FROM session WHERE citizen_id = $1", citizen)
    await context.set_offline(False)
    login_alert = page.get_by_role("alert").filter(has_text="Log ind for at sende din bestilling")
    await login_alert.wait_for()
    [kept] = await kept_orders(context)
    assert (kept["key"], kept["state"]) == (key, "login")
    assert await orders_with_key(db, key) == 0
    assert await page.get_by_text("Din bestilling er sendt").is_hidden()
    await assert_accessible(page)

    # A new CSRF cookie comes with the next visit: the token kept with the order is stale, so the
    # worker must send it with the token of the page after the login.
    await context.clear_cookies(name="fsc_csrf")
    await login_alert.get_by_role("link", name="Log ind", exact=True).click()
    await page.get_by_role("heading", level=1, name="Log ind").wait_for()
    await page.get_by_role("alert").filter(has_text="Log ind for at sende din bestilling").wait_for()
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    sent = page.get_by_role("status").filter(has_text="Din bestilling er sendt")
    await sent.wait_for()
    assert await orders_with_key(db, key) == 1
    assert await kept_orders(context) == []
    await assert_accessible(page)

    await sent.get_by_role("link", name="Se kvitteringen").click()
    await page.get_by_text("Tak, vi har modtaget din bestilling").wait_for()
    order = await db.fetchval("SELECT id FROM order_ WHERE idempotency_key = $1", uuid.UUID(key))
    assert page.url.endswith(f"/orders/{order}")
    # Asking again (coming online, reloading) never sends it twice.
    await page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'send-orders'})")
    await page.reload()
    await page.get_by_text("Tak, vi har modtaget din bestilling").wait_for()
    assert await orders_with_key(db, key) == 1
    assert errors == []
    await context.close()


async def test_an_order_meeting_server_trouble_is_kept_and_sent_later(live_server, browser, db):
    citizen, name = await demo_citizen(db)
    context, page, errors = await signed_in_phone(browser, live_server, name)

    # The server answers the first order post with 503 (a database outage), asking for a second's patience.
    troubled: list[str] = []

    async def unavailable_once(route):
        if troubled:
            await route.fallback()
            return
        troubled.append(route.request.headers.get("idempotency-key") or "")
        await route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "text/html"},
                            body="<h1>Vi har travlt</h1>")

    await context.route(re.compile(r".*/orders/reorder$"), unavailable_once)
    await page.get_by_role("button", name="Bestil igen").click()
    await page.get_by_text("Fælles Bestilling kan ikke tage imod din bestilling lige nu").wait_for()
    assert len(troubled) == 1
    [kept] = await kept_orders(context)
    assert await orders_with_key(db, kept["key"]) == 0

    # A second later the worker tries again, the server takes it, the page shows the receipt.
    await page.wait_for_url(re.compile(r".*/orders/\d+$"), timeout=15000)
    await page.get_by_text("Tak, vi har modtaget din bestilling").wait_for()
    assert await orders_with_key(db, kept["key"]) == 1
    assert await kept_orders(context) == []
    assert errors == []
    await context.close()


async def test_a_kept_order_is_sent_only_for_the_person_who_made_it(live_server, browser, db):
    citizen, name = await demo_citizen(db)
    other = await db.fetchval("SELECT name FROM citizen WHERE is_demo AND id <> $1 ORDER BY id LIMIT 1", citizen)
    context, page, errors = await signed_in_phone(browser, live_server, name)
    key = await tap_while_offline(context, page)
    await db.execute("DELETE FROM session WHERE citizen_id = $1", citizen)
    await context.set_offline(False)
    await page.get_by_role("alert").filter(has_text="Log ind for at sende din bestilling").wait_for()

    # Someone else logs in on the same phone: the order is not theirs, so it is neither sent for
    # them nor shown to them.
    await page.goto(live_server + "/login")
    await page.get_by_role("button", name=other).click()
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    await worker_done_with(context, page)
    [kept] = await kept_orders(context)
    assert (kept["key"], kept["state"]) == (key, "login")
    assert await orders_with_key(db, key) == 0
    assert await page.get_by_role("alert").count() == 0
    assert await page.get_by_role("status").filter(has_text="Din bestilling").count() == 0

    # They log out (from the menu), the citizen logs in again: now it is sent, once.
    await page.locator("summary", has_text="Menu").click()
    await page.get_by_role("button", name="Log ud").click()
    await page.get_by_role("alert").filter(has_text="Log ind for at sende din bestilling").wait_for()
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("status").filter(has_text="Din bestilling er sendt").wait_for()
    assert await orders_with_key(db, key) == 1
    assert await db.fetchval("SELECT citizen_id FROM order_ WHERE idempotency_key = $1", uuid.UUID(key)) == citizen
    assert await kept_orders(context) == []
    assert errors == []
    await context.close()
