"""A citizen with ostomy and urology grants on a 360 px phone: the home page groups the grants by
area, the product pictures load lazily (with alt text) as they are scrolled to; axe 0 violations."""

import asyncio

from backend.seed.catalogue import STOMA_AND_UROLOGY_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import assert_accessible

NARROW_PHONE = {"width": 360, "height": 640}
# A promise, not page.wait_for_function (its string polling is refused by our CSP, no 'unsafe-eval').
LOADED_WIDTH = """(img) => img.complete && img.naturalWidth > 0 ? img.naturalWidth
    : new Promise((resolve, reject) => { img.addEventListener('load', () => resolve(img.naturalWidth));
                                         img.addEventListener('error', () => reject(new Error(img.src))); })"""


async def test_two_areas_with_pictures_at_360_px(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, STOMA_AND_UROLOGY_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    context = await browser.new_context(viewport=NARROW_PHONE, locale="da-DK")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await page.goto(live_server + "/login")
        await page.get_by_role("button", name=name).click()
        await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
        await page.get_by_role("heading", level=2, name="Stomi").wait_for()
        urology = page.get_by_role("region", name="Urologi")
        await urology.get_by_role("heading", level=3, name="SpeediCath Kateter, Nelaton, CH 12, 40 cm").wait_for()
        picture = urology.get_by_role("img", name="Billede af SpeediCath Kateter, Nelaton, CH 12, 40 cm")
        await picture.scroll_into_view_if_needed()
        lazy = page.locator("img.product-picture[loading=lazy]")
        assert await lazy.count() >= 4  # every grant here has a picture
        for index in range(await lazy.count()):  # scrolled to one by one, each loads
            await lazy.nth(index).scroll_into_view_if_needed()
            assert await asyncio.wait_for(lazy.nth(index).evaluate(LOADED_WIDTH), 20) > 0
        assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
        await assert_accessible(page)
        assert errors == []
    finally:
        await context.close()
