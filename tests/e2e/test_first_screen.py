"""The first screen for older hands and eyes, in real Chromium on small phones.

- the one-tap button and what it orders are visible without scrolling at 360×740 and 320×568;
- every button, menu link, list link, radio and checkbox row is at least 44×44 CSS px (links in
  running text excepted) on every citizen page;
- the menu, and the confirm pages before cancelling an order, a call or a temporary address, work
  without JavaScript;
- <html lang> follows the citizen's stored language right after logging in;
- axe finds nothing at 360 px, nor at 320 px with 200 % zoom (a 640 px window zoomed to 200 %:
  320 CSS px at 2 device pixels each), and the texts that say what a citizen may do reach 7:1
  (axe's color-contrast-enhanced).
"""

from __future__ import annotations

import datetime as dt

from axe_playwright_python.async_playwright import Axe

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.integration.callback_helpers import book_directly, free_slot

SMALL_PHONES = ({"width": 360, "height": 740}, {"width": 320, "height": 568})
MAY_DO = [[".may-do"], [".slot-free"], [".timeline-time"]]

TOO_SMALL = r"""
() => {
  const inRunningText = (el) => {
    const block = el.closest('p, dd, td, li, .alert-text, label');
    if (!block) return false;
    const own = el.textContent.replace(/\s+/g, ' ').trim().length;
    return block.textContent.replace(/\s+/g, ' ').trim().length > own + 2;
  };
  const found = [];
  const targets = 'a[href], button, summary, input[type=submit], .form-radio + label, .form-checkbox + label';
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;          // not shown (closed menu, hidden)
    if (el.classList.contains('skipnav')) continue;          // off screen until focused
    if (el.matches('a') && inRunningText(el)) continue;      // WCAG 2.5.5's inline exception
    if (r.width < 44 || r.height < 44) found.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return found;
}
"""


async def demo_login(page, base: str, name: str) -> None:
    await page.goto(base + "/login")
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("heading", level=1).wait_for()


async def citizen_pages(db, base: str) -> list[str]:
    """Every citizen page, including the three confirm pages (with something to confirm)."""
    from backend.orders.models import Actor, PlaceOrder
    from backend.orders.service import place_order
    from backend.web.deps import local_today
    import uuid

    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await db.execute("DELETE FROM callback WHERE citizen_id = $1", citizen)
    callback = await book_directly(db, citizen, await free_slot(db))
    today = dt.date.today()
    address = await db.fetchval(
        """INSERT INTO temporary_address (citizen_id, street, postcode, city, valid_from, valid_to)
           VALUES ($1, 'Sommerhusvej 3', '8400', 'Ebeltoft', $2, $3) RETURNING id""",
        citizen, today + dt.timedelta(days=20), today + dt.timedelta(days=40))
    delivered = await db.fetchval("SELECT id FROM order_ WHERE citizen_id = $1 AND status = 'delivered' LIMIT 1", citizen)
    placed = (await place_order(db, PlaceOrder(citizen_id=citizen, key=uuid.uuid4(), actor=Actor("citizen", citizen)),
                                local_today())).order_id
    return ["/", "/orders", f"/orders/{delivered}", f"/orders/{placed}", "/orders/new", "/delivery",
            "/notifications", "/callbacks", "/callbacks/new", f"/orders/{placed}/cancel",
            f"/callbacks/{callback}/cancel", f"/delivery/temporary/{address}/delete", "/tilgaengelighed", "/privatliv",
            "/hjaelp", "/hvem-har-set"]


async def assert_no_violations(page, where: str) -> None:
    results = await Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert violations == [], where
    if await page.locator(", ".join(selector[0] for selector in MAY_DO)).count():
        enhanced = await Axe().run(page, context={"include": MAY_DO},
                                   options={"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}})
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in enhanced.response["violations"]]
        assert violations == [], where


async def test_the_one_tap_button_and_its_basket_are_on_the_first_screen(live_server, browser, db):
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    for size in SMALL_PHONES:
        context = await browser.new_context(viewport=size, locale="da-DK")
        page = await context.new_page()
        await demo_login(page, live_server, name)
        button = await page.get_by_role("button", name="Bestil igen").bounding_box()
        basket = await page.locator(".reorder-lines").bounding_box()
        assert button["y"] + button["height"] <= size["height"], (size, button)
        assert basket["y"] + basket["height"] <= size["height"], (size, basket)
        assert button["height"] >= 44
        # "Log ud" is not the biggest thing on the first screen any more: it is inside the menu.
        assert not await page.get_by_role("button", name="Log ud").is_visible()
        await context.close()


async def test_touch_targets_and_axe_on_every_citizen_page(live_server, browser, db):
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    pages = await citizen_pages(db, live_server)
    for size, scale in (({"width": 360, "height": 740}, 1), ({"width": 320, "height": 568}, 2)):
        context = await browser.new_context(viewport=size, device_scale_factor=scale, locale="da-DK")
        page = await context.new_page()
        await demo_login(page, live_server, name)
        for path in pages:
            await page.goto(live_server + path)
            await page.locator("h1").wait_for()
            where = f"{path} at {size['width']} px ×{scale}"
            assert await page.evaluate(TOO_SMALL) == [], where
            gutters = await page.eval_on_selector_all(
                ".alert", "els => els.map(e => parseFloat(getComputedStyle(e).paddingLeft))")
            assert all(gutter <= 24 for gutter in gutters), (where, gutters)  # no empty icon gutter
            assert await page.evaluate("document.documentElement.scrollWidth") <= size["width"], where
            await assert_no_violations(page, where)
        # The menu open: its links and buttons too.
        await page.goto(live_server + "/")
        await page.locator("summary", has_text="Menu").click()
        assert await page.evaluate(TOO_SMALL) == []
        await assert_no_violations(page, "menu")
        await context.close()


async def test_menu_and_confirm_pages_work_without_javascript(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    pages = await citizen_pages(db, live_server)
    placed = int(pages[3].rsplit("/", 1)[1])
    context = await browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False,
                                        locale="da-DK")
    page = await context.new_page()
    await demo_login(page, live_server, name)
    menu = page.locator("summary", has_text="Menu")
    menu_link = page.locator(".app-menu-list").get_by_role("link", name="Mine opkald")
    assert not await menu_link.is_visible()  # closed until tapped
    await menu.click()
    await menu_link.click()
    await page.get_by_role("heading", level=1, name="Mine opkald").wait_for()
    await page.get_by_role("link", name="Tilbage til mine produkter").wait_for()

    # Cancelling a call asks first; "No" keeps it, "Yes" cancels it.
    await page.get_by_role("link", name="Aflys").first.click()
    await page.get_by_role("heading", level=1, name="Vil du aflyse opkaldet?").wait_for()
    await page.get_by_test_id("confirm-no").click()
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1 AND status = 'waiting'", citizen) == 1
    await page.get_by_role("link", name="Aflys").first.click()
    await page.get_by_test_id("confirm-yes").click()
    await page.get_by_role("heading", level=1, name="Mine opkald").wait_for()
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1 AND status = 'cancelled'", citizen) == 1

    # The same for an order, from its receipt.
    await page.goto(f"{live_server}/orders/{placed}")
    await page.get_by_role("link", name="Fortryd bestilling").click()
    await page.get_by_role("heading", level=1, name=f"Vil du fortryde bestilling {placed}?").wait_for()
    await page.get_by_test_id("confirm-yes").click()
    await page.wait_for_url(f"{live_server}/orders/{placed}")
    assert await db.fetchval("SELECT status FROM order_ WHERE id = $1", placed) == "cancelled"

    # And a temporary address, from the delivery settings.
    await page.goto(live_server + "/delivery")
    await page.get_by_role("link", name="Fjern Sommerhusvej 3").click()
    await page.get_by_role("heading", level=1, name="Vil du fjerne den midlertidige adresse?").wait_for()
    await page.get_by_test_id("confirm-yes").click()
    await page.wait_for_url(f"{live_server}/delivery?saved=1")
    assert await db.fetchval("SELECT count(*) FROM temporary_address WHERE street = 'Sommerhusvej 3'") == 0

    # The pickup points show only when "a pickup point" is chosen (CSS, no script).
    await page.goto(live_server + "/delivery")
    await page.get_by_label("Min adresse", exact=False).first.check()
    assert not await page.locator("#pickup_point_id").is_visible()
    await page.get_by_label("Et udleveringssted (pakkeshop)").check()
    assert await page.locator("#pickup_point_id").is_visible()

    # Log out from the menu.
    await page.locator("summary", has_text="Menu").click()
    await page.get_by_role("button", name="Log ud").click()
    await page.wait_for_url(live_server + "/login")
    await context.close()


async def test_html_lang_follows_the_stored_language_after_login(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await db.execute("UPDATE citizen SET language = 'en' WHERE id = $1", citizen)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    page = await context.new_page()
    await page.goto(live_server + "/login")
    assert await page.get_attribute("html", "lang") == "da"
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("heading", level=1, name="My products").wait_for()
    assert await page.get_attribute("html", "lang") == "en"
    await context.close()


async def test_the_statement_and_privacy_page_signed_out_in_english_at_320_px(live_server, browser):
    context = await browser.new_context(viewport={"width": 320, "height": 568}, device_scale_factor=2, locale="en-GB")
    page = await context.new_page()
    await page.goto(live_server + "/login")
    for link, heading in (("Accessibility statement", "Accessibility statement"),
                          ("Privacy and cookies", "How we handle your data"), ("Help and contact", "Help and contact")):
        await page.get_by_role("contentinfo").get_by_role("link", name=link).click()
        await page.get_by_role("heading", level=1, name=heading).wait_for()
        assert await page.evaluate(TOO_SMALL) == [], link
        assert await page.evaluate("document.documentElement.scrollWidth") <= 320, link
        await assert_no_violations(page, link)
    await context.close()


async def test_the_first_visit_is_drawn_in_faelles_sans_without_a_stylesheet_request(live_server, browser):
    """Issue 17 §5: the page arrives with its styles (no render-blocking request) and the text is
    drawn in Faelles Sans (DKFDS's IBM Plex Sans, subset), from the small core files only."""
    context = await browser.new_context(viewport=SMALL_PHONES[0], locale="da-DK")
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto(live_server + "/login")
    await page.locator("html.fonts-ready").wait_for(state="attached")  # app.js, after the first paint
    await page.wait_for_function("document.fonts.status === 'loaded' && document.fonts.check('16px \"Faelles Sans\"')")
    loaded = await page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)")
    assert {"Faelles Sans 400", "Faelles Sans 600", "Faelles Sans 700"} <= set(loaded), loaded
    family = await page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
    assert family.startswith('"Faelles Sans"'), family
    assert not [url for url in requested if url.split("?")[0].endswith(".css")], requested
    fonts = [url for url in requested if ".woff" in url]
    assert fonts and all("/static/fonts/FaellesSans-" in url and "-core." in url for url in fonts), fonts
    await context.close()
