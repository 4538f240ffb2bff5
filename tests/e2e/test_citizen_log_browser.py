"""Issue 14 §5 in a real browser at 360 px: the citizen opens "Hvem har set og gjort hvad" from the
menu, reads who did what and why, pages to older entries, downloads all their data; axe-core
reports no violations and nothing is wider than the screen."""

from __future__ import annotations

import json
import re

from playwright.async_api import expect

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import assert_accessible
from tests.e2e.test_first_screen import TOO_SMALL
from tests.integration.log_helpers import helper_did, make_helper, staff_did

NARROW = {"width": 360, "height": 780}


async def test_the_citizen_reads_the_log_pages_back_and_downloads_their_data(live_server, browser, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    anne = await db.fetchval("SELECT id FROM staff WHERE name = 'Anne Holm'")
    daughter = await make_helper(db, "Sofie Jensen")
    await helper_did(db, daughter, karen, "order_placed", order_id=1)
    for _ in range(25):  # enough for a second page
        await staff_did(db, anne, karen, "staff_viewed_citizen", reason="follow_up")
    await staff_did(db, anne, karen, "staff_viewed_citizen", reason="inbound_call")

    context = await browser.new_context(viewport=NARROW, locale="da-DK", accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(live_server + "/login")
    await page.get_by_role("button", name="Karen Jensen").click()
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()

    await page.get_by_text("Menu", exact=True).click()
    await page.get_by_role("link", name="Hvem har set og gjort hvad").click()
    await page.get_by_role("heading", level=1, name="Hvem har set og gjort hvad").wait_for()
    entries = page.get_by_test_id("log-entries").locator("li")
    await expect(entries).to_have_count(25)
    await expect(entries.first).to_contain_text("Åbnede dine oplysninger")
    await expect(entries.first).to_contain_text("Anne Holm, Rådgiver")
    await expect(entries.first).to_contain_text("Hvorfor: Du ringede til Fælles Service Center")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert await page.evaluate(TOO_SMALL) == []  # touch targets of at least 44 px

    await page.get_by_role("link", name="Ældre").click()
    await page.get_by_role("heading", level=2, name="Side 2").wait_for()
    await expect(entries).to_have_count(2)  # 27 entries: 25 on the first page
    await expect(entries.last).to_contain_text("Sofie Jensen, Din hjælper")
    await expect(entries.last).to_contain_text("Bestilte produkter")
    await assert_accessible(page)
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    await page.get_by_role("link", name="Nyere").click()
    await page.get_by_role("heading", level=2, name="Nyeste hændelser").wait_for()

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Hent alle dine data").click()
    download = await download_info.value
    assert re.fullmatch(r"mine-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(open(await download.path(), encoding="utf-8").read())
    assert data["profile"]["name"] == "Karen Jensen" and len(data["log"]) == 27
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'data_exported' AND citizen_id = $1",
                             karen) == 1
    # The page is still there after the download (the link is not swapped in by htmx).
    await expect(page.get_by_role("heading", level=1, name="Hvem har set og gjort hvad")).to_be_visible()

    # Past the last page: a kind note with a way back (axe-checked too).
    beyond = await page.goto(live_server + "/hvem-har-set?side=9")
    assert beyond.status == 404
    await page.get_by_text("Der er ikke mere her.").wait_for()
    await assert_accessible(page)

    assert errors == []
    await context.close()
