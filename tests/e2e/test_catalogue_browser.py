"""A supervisor uploads the product list in a browser: a file with bad lines lists each line and
writes nothing, a good file is imported; the not-live citizen's home is told kindly. Axe clean."""

from __future__ import annotations

from backend.seed.demo import NOT_LIVE_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import assert_accessible
from tests.integration.catalogue_helpers import csv_bytes, line, noisy_photo

PHONE = {"width": 360, "height": 740}


async def test_upload_with_bad_lines_then_a_good_file(live_server, browser, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(line(), line(item_no="T-2", hmi_no="", area="hud"), line(hmi_no="")))
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(line(picture="pose.png")))
    picture = tmp_path / "pose.png"
    picture.write_bytes(noisy_photo(600, 400))
    products = await db.fetchval("SELECT count(*) FROM product")
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    page = await context.new_page()
    try:
        await page.goto(live_server + "/fsc/login")
        await page.get_by_role("button", name="Peter Vang").click()
        await page.wait_for_url("**/fsc/queue")
        await page.goto(live_server + "/fsc/catalogue")
        await page.get_by_label("Produktlisten (CSV, UTF-8)").set_input_files(str(bad))
        await page.get_by_role("button", name="Indlæs produktlisten").click()
        alert = page.get_by_role("alert")
        await alert.get_by_text("Intet blev indlæst: 2 linjer har fejl.").wait_for()
        assert await alert.locator("li").all_inner_texts() == [
            'Linje 3: Ukendt produktområde "hud". Brug et af: stomi, urologi, saar, diabetes, ernaering.',
            "Linje 4: Varenummer T-1000 står også på linje 2."]
        assert await db.fetchval("SELECT count(*) FROM product") == products
        await assert_accessible(page)
        await page.get_by_label("Produktlisten (CSV, UTF-8)").set_input_files(str(good))
        await page.get_by_label("Produktbilleder (valgfrit)").set_input_files(str(picture))
        await page.get_by_role("button", name="Indlæs produktlisten").click()
        await page.get_by_text("Produktlisten er indlæst: 1 nye, 0 opdaterede, 1 billeder.").wait_for()
        assert await db.fetchval("SELECT count(*) FROM product") == products + 1
        await assert_accessible(page)
    finally:
        await context.close()


async def test_not_live_home_is_kind_and_accessible(live_server, browser, db):
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", await citizen_id_by_cpr(db, NOT_LIVE_CPR))
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    page = await context.new_page()
    try:
        await page.goto(live_server + "/login")
        await page.get_by_role("button", name=name).click()
        notice = page.get_by_test_id("not-live")
        await notice.get_by_text("Du kan ikke bestille her endnu").wait_for()
        assert "Din kommune begynder at bruge Fælles Bestilling den" in await notice.inner_text()
        assert await notice.get_by_role("link", name="70 00 00 00").count() == 1  # FSC's phone
        await assert_accessible(page)
    finally:
        await context.close()
