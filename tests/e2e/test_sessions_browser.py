"""Sessions in real Chromium: "remember this phone" at login, and "log out on all devices" from one
phone signs out another (two browser contexts = two phones), without JavaScript.
"""

from __future__ import annotations

import time

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_first_screen import TOO_SMALL, assert_no_violations

DAY = 24 * 3600


async def session_cookie(context) -> dict:
    return next(c for c in await context.cookies() if c["name"] == "fsc_session")


async def test_remember_this_phone_then_log_out_on_all_devices(live_server, browser, db):
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    phone = await browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK", java_script_enabled=False)
    other = await browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    try:
        page = await phone.new_page()
        await page.goto(live_server + "/login")
        await page.get_by_label("Husk mig på denne telefon").check()
        await page.get_by_role("button", name=name).click()
        await page.get_by_role("heading", level=1).wait_for()
        remembered = await session_cookie(phone)
        assert remembered["expires"] - time.time() > 89 * DAY
        assert remembered["secure"] is False and remembered["httpOnly"] is True

        other_page = await other.new_page()
        await other_page.goto(live_server + "/login")
        assert await other_page.evaluate(TOO_SMALL) == []
        await assert_no_violations(other_page, "/login")
        await other_page.get_by_role("button", name=name).click()
        await other_page.get_by_role("heading", level=1).wait_for()
        assert (await session_cookie(other))["expires"] - time.time() < 13 * 3600   # not remembered: 12 hours

        await page.goto(live_server + "/notifications")
        await page.get_by_role("button", name="Log ud på alle enheder").click()
        await page.wait_for_url(live_server + "/login")
        await page.get_by_text("Du er nu logget ud på alle dine enheder.").wait_for()
        await other_page.goto(live_server + "/")
        await other_page.wait_for_url(live_server + "/login")
        assert await db.fetchval("SELECT count(*) FROM session") == 0
    finally:
        await phone.close()
        await other.close()
