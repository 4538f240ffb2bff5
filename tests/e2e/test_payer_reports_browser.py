"""Reports for payers in a real browser (issue 16 §8): charts readable without JavaScript, a table
beside each chart, the GET form, a bad month explained; axe finds nothing at 360 and 1280 px."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe



async def axe_violations(page) -> list:
    violations = (await Axe().run(page)).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


async def test_payer_reports_page_at_360_and_1280_px(live_server, browser):
    for size in ({"width": 360, "height": 740}, {"width": 1280, "height": 900}):
        context = await browser.new_context(viewport=size, locale="da-DK", java_script_enabled=True)
        page = await context.new_page()
        await page.goto(live_server + "/fsc/login")
        await page.get_by_role("button", name="Peter Vang").click()  # a supervisor
        await page.wait_for_url("**/fsc/queue")
        await page.get_by_role("link", name="Rapporter for betalere").first.click()
        await page.wait_for_url("**/fsc/reports/payers")
        where = f"at {size['width']} px"
        for name in ("Bestillinger pr. måned", "Forbrug pr. måned i kroner", "Leveringstid pr. måned i timer"):
            chart = page.get_by_role("img", name=name)
            assert await chart.is_visible(), (name, where)
            assert await chart.locator("rect").count() > 1, (name, where)   # the demo history has bars
            assert await page.get_by_role("region", name=name).get_by_role("table").is_visible(), (name, where)
        assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"], where
        assert await axe_violations(page) == [], where

        await page.get_by_label("Betaler").select_option(label="Aarhus")
        await page.get_by_role("button", name="Vis").click()
        await page.wait_for_url("**payer=751**")
        assert await page.get_by_label("Betaler").input_value() == "751"
        assert await axe_violations(page) == [], where

        await page.goto(live_server + "/fsc/reports/payers?from=2026-13")
        assert await page.get_by_role("alert").inner_text() != ""
        assert "Skriv måneden som år og måned" in await page.get_by_role("alert").inner_text()
        assert await axe_violations(page) == [], where
        await context.close()


async def test_the_charts_are_complete_without_javascript(live_server, browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK",
                                        java_script_enabled=False)
    page = await context.new_page()
    await page.goto(live_server + "/fsc/login")
    await page.get_by_role("button", name="Peter Vang").click()
    await page.wait_for_url("**/fsc/queue")
    await page.goto(live_server + "/fsc/reports/payers?payer=751")
    assert await page.get_by_role("img", name="Bestillinger pr. måned").locator("rect").count() > 1
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Hent tallene pr. betaler og måned (CSV)").click()
    path = await (await download.value).path()
    with open(path, "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"
    await context.close()


async def test_a_caseworker_reaches_their_own_authoritys_report_from_the_cases_menu(live_server, browser):
    for size in ({"width": 360, "height": 740}, {"width": 1280, "height": 900}):
        context = await browser.new_context(viewport=size, locale="da-DK", java_script_enabled=True)
        page = await context.new_page()
        await page.goto(live_server + "/fsc/login")
        await page.get_by_role("button", name="Lars Krogh").click()  # the caseworker of Odense
        await page.wait_for_url("**/fsc/sag")
        await page.get_by_role("navigation").get_by_role("link", name="Rapporter for betalere").click()
        await page.wait_for_url("**/fsc/reports/payers")
        where = f"at {size['width']} px"
        payer = page.get_by_label("Betaler")
        assert await payer.locator("option").all_inner_texts() == ["Odense"], where   # no other payer, no "all"
        for name in ("Ønsker om et andet produkt", "Behandlingstid, median (timer)"):
            assert await page.get_by_role("columnheader", name=name).count() == 1, (name, where)
        assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"], where
        assert await axe_violations(page) == [], where

        await page.goto(live_server + "/fsc/reports/payers?payer=751")   # Aarhus: not theirs
        assert "Du kan kun se rapporterne for din egen myndighed." in await page.get_by_role("alert").inner_text()
        assert await axe_violations(page) == [], where
        await context.close()
