"""A caseworker's hand-overs and grant upload in a browser: Aarhus's caseworker sees the demo's
discharge grant ending (Ruth Damgaard) in the queue, reaches the upload from the menu and imports a
file for Aarhus without choosing it; the region's caseworker sees the same grant as one the region
pays. axe finds nothing, 320 px fits."""

from __future__ import annotations

from tests.e2e.test_intake_pages_browser import assert_accessible
from tests.integration.csv_helpers import csv_bytes, grant_row


async def signed_in_caseworker(browser, live_server, name: str):
    context = await browser.new_context(viewport={"width": 320, "height": 640}, locale="da-DK")
    page = await context.new_page()
    await page.goto(live_server + "/fsc/login")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_url("**/fsc/sag")
    return context, page


async def test_municipal_caseworker_sees_the_hand_over_and_imports_for_their_own_authority(live_server, browser, db,
                                                                                         tmp_path):
    context, page = await signed_in_caseworker(browser, live_server, "Sofie Bach")
    handovers = page.get_by_role("region", name="Udskrivningsbevillinger der udløber")
    await handovers.get_by_role("link", name="Ruth Damgaard").wait_for()
    await assert_accessible(page, "/fsc/sag with hand-overs", 320)

    good_file = tmp_path / "bevillinger.csv"
    good_file.write_bytes(csv_bytes([grant_row(n) for n in range(2)]))
    await page.get_by_role("navigation").get_by_role("link", name="Indlæs bevillinger").click()
    await page.wait_for_url("**/fsc/grants/import")
    assert await page.locator('select[name="authority_id"]').count() == 0
    await page.get_by_label("CSV-fil").set_input_files(str(good_file))
    await page.get_by_role("button", name="Indlæs filen").click()
    await page.get_by_test_id("import-summary").wait_for()
    await assert_accessible(page, "/fsc/grants/import as a caseworker", 320)
    payers = await db.fetch("SELECT DISTINCT a.code FROM grant_ g JOIN authority a ON a.id = g.payer_id "
                            "WHERE g.reference LIKE 'IMP-%'")
    assert [r["code"] for r in payers] == [751]
    await context.close()


async def test_region_caseworker_sees_the_discharge_grants_the_region_pays(live_server, browser):
    context, page = await signed_in_caseworker(browser, live_server, "Mads Lund")
    handovers = page.get_by_role("region", name="Udskrivningsbevillinger der udløber")
    row = handovers.get_by_role("row").filter(has_text="Ruth Damgaard")
    await row.wait_for()
    assert "Aarhus" in await row.inner_text()  # the region sees whose municipality must take over
    await assert_accessible(page, "/fsc/sag of the region", 320)
    await context.close()
