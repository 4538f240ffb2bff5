"""From the citizen's request for another product (a 360 px phone) to the caseworker's approval
(also 360 px) to the citizen's updated home page. axe-core reports no violations on the new pages."""

from __future__ import annotations

import datetime as dt
import re

from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_callbacks_browser import collect_errors
from tests.e2e.test_citizen_home import assert_accessible

NARROW = {"width": 360, "height": 740}


async def fits(page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], page.url


async def test_citizen_asks_caseworker_approves_citizen_sees_the_new_product(live_server, browser, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    errors: list[str] = []

    # The citizen asks on a phone; first without choosing anything (errors shown, nothing written).
    phone_context = await browser.new_context(viewport=NARROW, locale="da-DK")
    phone = await phone_context.new_page()
    collect_errors(phone, errors)
    await phone.goto(live_server + "/login")
    await phone.get_by_role("button", name="Karen Jensen").click()
    await phone.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    await phone.get_by_role("link", name=re.compile("^Jeg har brug for et andet produkt")).first.click()
    await phone.get_by_role("heading", level=1, name="Jeg har brug for et andet produkt").wait_for()
    await assert_accessible(phone)
    await fits(phone)
    await phone.get_by_role("button", name="Send ønsket").click()
    await phone.get_by_text("Vælg et produkt fra listen.").first.wait_for()
    await assert_accessible(phone)
    assert await db.fetchval("SELECT count(*) FROM change_request WHERE citizen_id = $1", karen) == 0

    await phone.get_by_label("Hvilket produkt har du brug for i stedet?").select_option(index=1)
    await phone.get_by_label("Det lækker").check()
    await phone.get_by_label(re.compile("^Er der andet")).fill("Den slipper om natten.")
    await phone.get_by_role("button", name="Send ønsket").click()
    await phone.get_by_role("heading", level=1, name="Mine ønsker").wait_for()
    await phone.get_by_text("Dit ønske er sendt").wait_for()
    await assert_accessible(phone)
    await fits(phone)
    request = await db.fetchrow(
        """SELECT r.id, p.name AS wanted FROM change_request r JOIN product p ON p.id = r.wanted_product_id
            WHERE r.citizen_id = $1""", karen)

    # The Aarhus caseworker, also on a narrow screen, sees it in the queue and approves it.
    staff_context = await browser.new_context(viewport=NARROW, locale="da-DK")
    caseworker = await staff_context.new_page()
    collect_errors(caseworker, errors)
    await caseworker.goto(live_server + "/fsc/login")
    await caseworker.get_by_role("button", name="Sofie Bach").click()
    await caseworker.get_by_role("heading", level=1, name="Sager for Aarhus").wait_for()
    await assert_accessible(caseworker)
    await fits(caseworker)
    await caseworker.get_by_role("link", name=re.compile("Karen Jensen")).first.click()
    await caseworker.get_by_role("heading", level=1, name="Karen Jensen").wait_for()
    await assert_accessible(caseworker)
    await caseworker.goto(live_server + f"/fsc/sag/requests/{request['id']}")
    await caseworker.get_by_role("heading", level=1, name="Ønske om et andet produkt").wait_for()
    await assert_accessible(caseworker)
    await fits(caseworker)
    effective = local_today() + dt.timedelta(days=2)
    await caseworker.get_by_label("Nyt produkt fra").fill(effective.isoformat())
    await caseworker.get_by_role("button", name="Godkend ønsket").click()
    await caseworker.get_by_text("Ønsket er godkendt. Borgeren får besked.").wait_for()
    await assert_accessible(caseworker)
    assert await db.fetchval("SELECT status FROM change_request WHERE id = $1", request["id"]) == "approved"

    # The citizen's home page now tells them which product they get, and from when.
    await phone.goto(live_server + "/")
    card = phone.get_by_test_id("change-request").first
    await card.get_by_text("Godkendt").wait_for()
    await card.get_by_text(f"Du får {request['wanted']} fra").wait_for()
    await phone.get_by_role("heading", level=2, name=request["wanted"]).first.wait_for()  # the new grant's card
    await assert_accessible(phone)
    await fits(phone)
    await phone.goto(live_server + "/change-requests")
    await phone.get_by_test_id("change-request-status").get_by_text("Godkendt").wait_for()
    await assert_accessible(phone)
    assert errors == []
    await phone_context.close()
    await staff_context.close()
