"""A citizen on a phone: log in, see "Mine produkter", switch to English; no axe violations."""

from axe_playwright_python.async_playwright import Axe

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr

PHONE = {"width": 390, "height": 844}


async def assert_accessible(page) -> None:
    results = await Axe().run(page)
    violations = results.response["violations"]
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


async def signed_in_phone(browser, base: str, name: str, *, permissions: tuple[str, ...] = ()):
    """A phone-sized browser context signed in as ``name`` (demo login) on "Mine produkter", with
    the service worker in control; returns (context, page, page errors)."""
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    if permissions:
        await context.grant_permissions(list(permissions), origin=base)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(base + "/login")
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    await page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    return context, page, errors


async def test_login_see_products_and_switch_language(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    products = [r["name"] for r in await db.fetch(
        "SELECT p.name FROM grant_ g JOIN product p ON p.id = g.product_id WHERE g.citizen_id = $1", citizen)]
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    await page.goto(live_server + "/")
    assert page.url.endswith("/login")
    await assert_accessible(page)

    await page.get_by_role("button", name=name).click()
    await page.wait_for_url(live_server + "/")
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    for product in products:
        await page.get_by_role("heading", name=product).wait_for()
    assert await page.locator("[data-testid=left]").count() == len(products)
    await assert_accessible(page)

    # No horizontal scrolling on a 390 px wide phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await page.locator("summary", has_text="Menu").click()  # the language is in the menu
    await page.get_by_role("button", name="English").click()
    await page.get_by_role("heading", level=1, name="My products").wait_for()
    assert await page.get_attribute("html", "lang") == "en"
    await assert_accessible(page)
    assert await db.fetchval("SELECT language FROM citizen WHERE id = $1", citizen) == "en"

    # The choice sticks after a reload (remembered for the user, not just the page).
    await page.reload()
    await page.get_by_role("heading", level=1, name="My products").wait_for()
    assert errors == []
    await context.close()
