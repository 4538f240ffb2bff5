"""A citizen on a phone: log in, see "Mine produkter", switch to English; no axe violations."""

import asyncio

from axe_playwright_python.async_playwright import Axe

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr

PHONE = {"width": 390, "height": 844}
# A promise, not page.wait_for_function: its polling evaluates a string in the page, which our
# Content-Security-Policy (no 'unsafe-eval') refuses whenever the first check is false.
SERVICE_WORKER_IN_CONTROL = """new Promise((resolve) => {
    if (navigator.serviceWorker.controller) { resolve(); return; }
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve());
})"""


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
    await service_worker_in_control(page)
    return context, page, errors


async def service_worker_in_control(page) -> None:
    """Until the service worker controls ``page``. A page that loaded while the worker was still
    activating may never be claimed (it was not yet a client when the worker claimed its
    clients): it is reloaded once the worker is active, as the next visit would be."""
    await asyncio.wait_for(page.evaluate("navigator.serviceWorker.ready.then(() => true)"), 20)
    if not await page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        await page.reload()
        await page.locator("h1").wait_for()
    await asyncio.wait_for(page.evaluate(SERVICE_WORKER_IN_CONTROL), 20)


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
