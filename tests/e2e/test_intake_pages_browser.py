"""The intake in a browser: a supervisor makes an API key (shown once), uploads a CSV file with a
bad line (the line is named, nothing imported), sees the discharge grants ending; a citizen whose
discharge grant is handed over sees one line per product. axe finds nothing, 320 px fits."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe

from tests.e2e.test_citizen_home import signed_in_phone
from tests.integration.csv_helpers import csv_bytes, grant_row


async def assert_accessible(page, where: str, width: int) -> None:
    wide = await page.evaluate("""w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w)
        .map(e => e.tagName + '.' + e.className + ':' + e.getBoundingClientRect().right).slice(0, 8)""", width)
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, (where, wide)
    violations = (await Axe().run(page)).response["violations"]
    assert violations == [], (where, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations])


async def test_supervisor_intake_pages_and_the_handed_over_home(live_server, browser, db, tmp_path):
    context = await browser.new_context(viewport={"width": 320, "height": 640}, locale="da-DK")
    page = await context.new_page()
    await page.goto(live_server + "/fsc/login")
    await page.get_by_role("button", name="Peter Vang").click()
    await page.wait_for_url("**/fsc/queue")

    await page.goto(live_server + "/fsc/api-keys")
    await page.get_by_label("Myndighed").select_option(label="Aarhus (751)")
    await page.get_by_label("Hvad nøglen bruges til").fill("Aarhus sagssystem")
    await page.get_by_role("button", name="Lav nøglen").click()
    token = await page.get_by_test_id("new-token").text_content()
    assert token.startswith("fbk_")
    await assert_accessible(page, "/fsc/api-keys with a new key", 320)
    await page.goto(live_server + "/fsc/api-keys")
    assert token not in await page.content()  # shown once

    rows = [grant_row(n) for n in range(3)]
    rows[1]["cpr"] = "123"
    bad_file = tmp_path / "bevillinger.csv"
    bad_file.write_bytes(csv_bytes(rows))
    await page.goto(live_server + "/fsc/grants/import")
    await page.get_by_label("Bevillingerne kommer fra").select_option(label="Aarhus (751)")
    await page.get_by_label("CSV-fil").set_input_files(str(bad_file))
    await page.get_by_role("button", name="Indlæs filen").click()
    await page.get_by_text("Intet blev indlæst", exact=True).wait_for()
    assert await page.locator('tr[data-line="3"]').count() == 1
    await assert_accessible(page, "/fsc/grants/import with errors", 320)
    assert await db.fetchval("SELECT count(*) FROM grant_ WHERE reference LIKE 'IMP-%'") == 0

    await page.goto(live_server + "/fsc/grants/handovers")
    await page.get_by_text("Ruth Damgaard").wait_for()
    await assert_accessible(page, "/fsc/grants/handovers", 320)
    await context.close()

    context, page, errors = await signed_in_phone(browser, live_server, "Anders Bech")
    assert await page.locator("li.card.grant").count() == 2
    await page.get_by_test_id("follow-on").first.wait_for()
    await assert_accessible(page, "home across the hand-over", 390)
    assert errors == []
    await context.close()
