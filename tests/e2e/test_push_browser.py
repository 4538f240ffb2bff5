"""Push in a real Chromium: the notifications page (axe-clean, script loaded on demand), and the
service worker's handlers: a push delivered through the DevTools protocol is shown as a
notification (title, body, tag per parcel, deep link), the same notice again replaces it without
a second alert, a later notice for the same parcel replaces it with an alert, and a tap on it
takes the open window to the parcel's page."""

from __future__ import annotations

import asyncio
import json

import pytest

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.conftest import serve_app
from tests.e2e.test_citizen_home import assert_accessible, signed_in_phone
from tests.push_fixtures import VAPID_ENV

NOTIFICATIONS = "self.registration.getNotifications().then((ns) => ns.map((n) => " \
                "({title: n.title, body: n.body, tag: n.tag, icon: n.icon, url: n.data && n.data.url})))"
# How the phone was told: renotify = alert again (sound, vibration) although the tag was shown.
ALERTS = "self.registration.getNotifications().then((ns) => ns.map((n) => " \
         "({title: n.title, renotify: n.renotify, silent: n.silent, timestamp: n.timestamp})))"


@pytest.fixture
def push_server(db_url):
    """`fsc serve` with a VAPID key pair (push on)."""
    with serve_app(db_url, **VAPID_ENV) as url:
        yield url


async def shown(worker, count: int, seconds: float = 15) -> list[dict]:
    for _ in range(int(seconds * 10)):  # 15 s by default, for a busy machine
        notes = await worker.evaluate(NOTIFICATIONS)
        if len(notes) >= count:
            return notes
        await asyncio.sleep(0.1)
    return await worker.evaluate(NOTIFICATIONS)


async def shown_again(worker, push, payload: dict) -> list[dict]:
    """Deliver ``payload`` until a notification newer than the one shown is there (DevTools
    sometimes loses a message); returns how the phone shows it."""
    before = max([n["timestamp"] for n in await worker.evaluate(ALERTS)], default=0)
    for _ in range(5):
        await push(payload)
        for _ in range(30):
            notes = await worker.evaluate(ALERTS)
            if any(n["timestamp"] > before for n in notes):
                return notes
            await asyncio.sleep(0.1)
    return await worker.evaluate(ALERTS)


async def test_notifications_page_and_service_worker_push_handlers(push_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    order = await db.fetchval("SELECT id FROM order_ WHERE citizen_id = $1 ORDER BY id DESC LIMIT 1", citizen)
    context, page, errors = await signed_in_phone(browser, push_server, name, permissions=("notifications",))

    # The page, reached by a boosted link from the menu: push.js is loaded on demand and shows the button.
    await page.locator("summary", has_text="Menu").click()
    await page.get_by_role("link", name="Notifikationer", exact=True).click()
    await page.get_by_role("heading", level=1, name="Notifikationer").wait_for()
    await page.get_by_role("button", name="Slå notifikationer til på denne telefon").wait_for()
    assert await page.get_by_text("Notifikationer kræver JavaScript").is_hidden()
    await assert_accessible(page)

    # Deliver a push to the service worker through the DevTools protocol.
    cdp = await context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    await cdp.send("ServiceWorker.enable")
    for _ in range(150):  # up to 15 s on a busy machine
        if registrations:
            break
        await asyncio.sleep(0.1)
    registration = next(r for r in registrations if r["scopeURL"] == push_server + "/")
    [worker] = context.service_workers

    async def push(payload: dict) -> None:
        await cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": push_server, "registrationId": registration["registrationId"], "data": json.dumps(payload)})

    tag = f"parcel-{order}-1"
    first = {"title": "Din pakke kommer i dag", "body": "Chaufføren er på vej med din pakke.",
             "url": f"/orders/{order}", "tag": tag, "type": "out_for_delivery", "icon": "/static/icons/icon-192.png"}
    # DevTools sometimes loses a message delivered right after ServiceWorker.enable (about one
    # run in eight; the worker is running and the next message arrives): deliver the first one
    # again until it shows. Same tag, so a repeat replaces rather than adds.
    for _ in range(5):
        await push(first)
        notes = await shown(worker, 1, seconds=3)
        if notes:
            break
    [note] = notes
    assert note == {"title": "Din pakke kommer i dag", "body": "Chaufføren er på vej med din pakke.", "tag": tag,
                    "icon": push_server + "/static/icons/icon-192.png", "url": f"/orders/{order}"}

    # The same notice again (a worker killed before it recorded the push service's answer sends
    # it again): it replaces the one shown without a second alert.
    again = await shown_again(worker, push, first)
    assert [(n["title"], n["renotify"], n["silent"]) for n in again] == [("Din pakke kommer i dag", False, True)]

    # A later notice for the same parcel replaces the earlier one (same tag), and alerts.
    delivered = {"title": "Din pakke er leveret", "body": f"Bestilling {order} er kommet frem.",
                 "url": f"/orders/{order}", "tag": tag, "type": "delivered"}
    notes = await shown_again(worker, push, delivered)
    assert [(n["title"], n["renotify"], n["silent"]) for n in notes] == [("Din pakke er leveret", True, False)]

    # Swiped away, then the same notice again: it comes back, silently.
    await worker.evaluate("self.registration.getNotifications().then((ns) => ns.forEach((n) => n.close()))")
    assert await shown(worker, 0) == []
    notes = await shown_again(worker, push, delivered)
    assert [(n["title"], n["renotify"], n["silent"]) for n in notes] == [("Din pakke er leveret", False, True)]

    # A tap: the service worker's notificationclick takes the open window to the parcel's page.
    await worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
    }""")
    await page.wait_for_url(f"{push_server}/orders/{order}", timeout=10000)
    await page.get_by_role("heading", level=1, name=f"Bestilling {order}").wait_for()
    assert await shown(worker, 0) == []  # closed by the tap
    assert errors == []
    await context.close()
