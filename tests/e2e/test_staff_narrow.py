"""The staff console on a tablet and a narrow window (issue 15 §6): no page wider than the window
at 320 CSS px, wide tables scroll inside a keyboard-focusable region, axe finds nothing."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe

from tests.conftest import citizen_id_by_cpr
from tests.integration.callback_helpers import book_directly, free_slot
from backend.seed.demo import MAIN_DEMO_CPR


async def test_staff_pages_fit_320_px_and_their_tables_scroll_in_focusable_regions(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await book_directly(db, citizen, await free_slot(db))
    aarhus = await db.fetchval("SELECT id FROM authority WHERE name = 'Aarhus'")
    for size in ({"width": 320, "height": 640}, {"width": 360, "height": 740}):
        context = await browser.new_context(viewport=size, locale="da-DK")
        page = await context.new_page()
        await page.goto(live_server + "/fsc/login")
        await page.get_by_role("button", name="Peter Vang").click()  # a supervisor: every page
        await page.wait_for_url("**/fsc/queue")
        await page.get_by_role("button", name="Tag").first.click()
        await page.wait_for_url("**/fsc/callbacks/*")
        call_view = page.url.removeprefix(live_server)
        pages = ("/fsc/queue", call_view, "/fsc/capacity", "/fsc/reports", "/fsc/orders/attention", "/fsc/staff",
                 "/fsc/authorities", f"/fsc/authorities?edit={aarhus}", "/fsc/catalogue", "/fsc/go-live",
                 f"/fsc/go-live?edit={aarhus}")
        for path in pages:
            await page.goto(live_server + path)
            where = f"{path} at {size['width']} px"
            assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"], where
            regions = await page.eval_on_selector_all(
                ".table--responsive-scroll",
                "els => els.map(e => [e.tabIndex, e.getAttribute('role'), Boolean(e.getAttribute('aria-label'))])")
            assert all(region == [0, "region", True] for region in regions), (where, regions)
            tables = await page.eval_on_selector_all("main table", "els => els.map(e => Boolean(e.closest('.table--responsive-scroll')))")
            assert all(tables), where  # every table can scroll on its own
            violations = (await Axe().run(page)).response["violations"]
            assert violations == [], (where, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations])
        await context.close()
