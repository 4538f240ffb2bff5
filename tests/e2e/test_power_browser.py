"""Issue 14 in two browsers: Karen invites a helper, the helper logs in as himself and accepts the
code, orders for Karen, Karen sees the order and revokes, and the helper's very next request in
his open session is refused. axe finds nothing on the new pages at 360 px."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe

from tests.integration.power_helpers import karen, make_person

NARROW = {"width": 360, "height": 740}


async def assert_accessible(page, where: str) -> None:
    violations = (await Axe().run(page)).response["violations"]
    assert violations == [], (where, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations])
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], where


async def test_invite_accept_order_for_the_citizen_revoke_refuse(live_server, browser, db):
    await make_person(db, "Ole Hansen", "0101601234")  # Karen's neighbour: a person who can log in (demo)
    citizen = await browser.new_context(viewport=NARROW, locale="da-DK")
    helper = await browser.new_context(viewport=NARROW, locale="da-DK")
    karen_page, ole_page = await citizen.new_page(), await helper.new_page()

    # Karen invites Ole on "Mine hjælpere".
    await karen_page.goto(live_server + "/login")
    await karen_page.get_by_role("button", name="Karen Jensen").click()
    await karen_page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    await karen_page.locator("summary", has_text="Menu").click()
    await karen_page.get_by_role("link", name="Mine hjælpere").click()
    await karen_page.get_by_role("heading", level=1, name="Mine hjælpere").wait_for()
    await assert_accessible(karen_page, "/hjaelpere")
    await karen_page.get_by_label("Hjælperens navn").fill("Ole Hansen")
    await karen_page.get_by_role("button", name="Lav invitation").click()
    code = (await karen_page.get_by_test_id("invitation-code").inner_text()).strip()
    assert len(code) == 11 and code[5] == "-"
    await assert_accessible(karen_page, "invitation")

    # Ole logs in as himself (not as Karen), has nobody to help yet, and accepts the code.
    await ole_page.goto(live_server + "/login")
    await ole_page.get_by_role("button", name="Ole Hansen").click()
    await ole_page.get_by_role("heading", level=1, name="Hvem handler du for?").wait_for()
    assert await ole_page.get_by_text("Du hjælper ikke nogen endnu.").is_visible()
    await ole_page.get_by_role("link", name="Tag imod en fuldmagt med en kode").click()
    await ole_page.get_by_role("heading", level=1, name="Tag imod en fuldmagt").wait_for()
    await assert_accessible(ole_page, "/fuldmagt")
    await ole_page.get_by_label("Kode").fill(code.lower())
    await ole_page.get_by_role("button", name="Tag imod", exact=True).click()
    await ole_page.get_by_text("Du kan nu hjælpe Karen Jensen").wait_for()
    await assert_accessible(ole_page, "/fuldmagt/vaelg")

    # He chooses Karen: every page says whose data it is; he orders for her with one tap.
    await ole_page.get_by_role("button", name="Karen Jensen").click()
    await ole_page.get_by_test_id("acting-for").get_by_text("Du handler for Karen Jensen").wait_for()
    await ole_page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    await assert_accessible(ole_page, "home acting for Karen")
    await ole_page.get_by_role("button", name="Bestil igen").click()
    await ole_page.wait_for_url("**/orders/*")
    order_id = int(ole_page.url.rsplit("/", 1)[1])
    assert await ole_page.get_by_test_id("acting-for").is_visible()
    assert await db.fetchval("SELECT placed_by_kind FROM order_ WHERE id = $1", order_id) == "relative"

    # Karen sees the order and her helper, and revokes the power at once.
    await karen_page.goto(live_server + "/orders")
    await karen_page.get_by_text(f"Bestilling {order_id}").first.wait_for()
    assert await karen_page.get_by_test_id("placed-by-helper").first.inner_text() == "Bestilt af hjælperen Ole Hansen"
    await karen_page.goto(live_server + "/hjaelpere")
    assert await karen_page.get_by_test_id("helper").filter(has_text="Ole Hansen").is_visible()
    await karen_page.get_by_role("button", name="Tilbagekald fuldmagten for Ole Hansen").click()
    await karen_page.get_by_text("Fuldmagten er tilbagekaldt.").wait_for()
    assert await db.fetchval("SELECT revoked_at IS NOT NULL FROM power_of_attorney WHERE id = "
                             "(SELECT max(id) FROM power_of_attorney WHERE citizen_id = $1)", await karen(db))

    # Ole's open session: the very next request is refused, and Karen's data is gone from his screen.
    response = await ole_page.goto(live_server + "/orders")
    assert response.status == 403
    await ole_page.get_by_role("heading", level=1, name="Din fuldmagt er ophørt").wait_for()
    assert not await ole_page.get_by_text("Karen Jensen").count()
    await assert_accessible(ole_page, "refused")
    await ole_page.get_by_role("button", name="Tilbage til mig selv").click()
    await ole_page.wait_for_url("**/welcome")
    await assert_accessible(ole_page, "/welcome for a helper")
    await citizen.close()
    await helper.close()


async def test_fsc_powers_page_is_accessible_at_360_px(live_server, browser, db):
    context = await browser.new_context(viewport=NARROW, locale="da-DK")
    page = await context.new_page()
    await page.goto(live_server + "/fsc/login")
    await page.get_by_role("button", name="Anne Holm").click()
    await page.wait_for_url("**/fsc/queue")
    await page.goto(live_server + f"/fsc/citizens/{await karen(db)}/powers")
    await page.get_by_role("heading", level=1, name="Fuldmagter for Karen Jensen").wait_for()
    assert await page.get_by_test_id("citizen-helpers").get_by_text("Sofie Jensen").is_visible()
    await assert_accessible(page, "staff powers")
    # The citizen's record shows the same helpers and links to this page.
    await page.goto(live_server + f"/fsc/citizens/{await karen(db)}?reason=inbound_call")
    assert await page.get_by_test_id("citizen-helpers").get_by_text("Sofie Jensen").is_visible()
    await page.get_by_role("link", name="Registrér eller tilbagekald en fuldmagt").click()
    await page.get_by_role("heading", level=1, name="Fuldmagter for Karen Jensen").wait_for()
    await page.goto(live_server + f"/fsc/citizens/{await karen(db)}?reason=inbound_call")
    await page.get_by_test_id("citizen-helpers").wait_for()
    await assert_accessible(page, "staff citizen record with helpers")
    await context.close()
