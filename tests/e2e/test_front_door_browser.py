"""FSC as the front door (issue 15), in real browsers: a citizen phones in; the advisor finds her by
the number she calls from, opens her record with a reason, opens an inbound call, orders by phone
and records the advice; the citizen opens "Mine opkald" and reads it. Every new page has no axe
violations at 360 and 1280 CSS px, and no page is wider than the window."""

from __future__ import annotations

import re

from playwright.async_api import expect

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_callbacks_browser import collect_errors
from tests.e2e.test_citizen_home import assert_accessible

SIZES = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})
ADVICE = "Vi aftalte: prøv konveks basisplade, ring igen om 14 dage."
INTERNAL = "Intern: rødme omkring stomien."


async def check(page, width: int) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    await assert_accessible(page)


async def test_advisor_finds_the_caller_records_advice_and_orders_the_citizen_reads_it(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    errors: list[str] = []
    for size in SIZES:
        context = await browser.new_context(viewport=size, locale="da-DK")
        advisor = await context.new_page()
        collect_errors(advisor, errors)
        await advisor.goto(live_server + "/fsc/login")
        await advisor.get_by_role("button", name="Anne Holm").click()
        await advisor.get_by_role("heading", level=1, name="Opkaldskø").wait_for()

        await advisor.get_by_role("link", name="Find borger").click()
        await advisor.get_by_role("heading", level=1, name="Find borger").wait_for()
        await check(advisor, size["width"])
        await advisor.get_by_label("Navn, telefonnummer eller bestillingsnummer").fill("a")  # one letter: refused
        await advisor.get_by_role("button", name="Søg", exact=True).click()
        await expect(advisor.get_by_text("Skriv mindst 2 bogstaver")).to_be_visible()
        await check(advisor, size["width"])

        # Karen phones from +45 28 14 63 07; the advisor types it as the phone shows it.
        await advisor.get_by_label("Navn, telefonnummer eller bestillingsnummer").fill("28 14 63 07")
        await advisor.get_by_role("button", name="Søg", exact=True).click()
        result = advisor.get_by_test_id(f"result-{citizen}")
        await expect(result).to_contain_text("Karen Jensen")
        await expect(result).to_contain_text("1952")
        await check(advisor, size["width"])

        await result.get_by_role("link", name="Karen Jensen").click()
        await advisor.get_by_role("heading", level=1, name="Åbn borgerens oplysninger").wait_for()
        await check(advisor, size["width"])
        await advisor.get_by_label("Borgeren ringer til os (indgående opkald)").check()
        await advisor.get_by_role("button", name="Åbn", exact=True).click()
        await advisor.get_by_role("heading", level=1, name="Karen Jensen").wait_for()
        await check(advisor, size["width"])

        await advisor.get_by_role("link", name="Book et opkald til borgeren").click()
        await advisor.get_by_role("heading", level=1, name="Book et opkald til Karen Jensen").wait_for()
        await check(advisor, size["width"])
        await advisor.get_by_role("link", name="Tilbage til borgeren").click()
        await advisor.get_by_role("heading", level=1, name="Karen Jensen").wait_for()

        await advisor.get_by_role("button", name="Indgående opkald: åbn opkaldet").click()
        await advisor.get_by_role("heading", level=1, name="Opkald med Karen Jensen").wait_for()
        await expect(advisor.get_by_test_id("call-kind")).to_have_text("Indgående opkald")
        await check(advisor, size["width"])

        await advisor.get_by_role("button", name="Bestil for borgeren").click()
        await expect(advisor.get_by_text(re.compile(r"Bestilling \d+ er afgivet for borgeren"))).to_be_visible()
        await advisor.get_by_label("Hvad opkaldet handlede om").select_option("product")
        await advisor.get_by_label("Bestilling lagt for borgeren").check()
        await advisor.get_by_label(re.compile("^Det aftalte I")).fill(ADVICE)
        await advisor.get_by_label("Note (kun for FSC)").fill(INTERNAL)
        await advisor.get_by_role("button", name="Gem resultatet").click()
        await advisor.get_by_role("heading", level=1, name="Karen Jensen").wait_for()
        await expect(advisor.get_by_test_id("flash")).to_contain_text("Resultatet er gemt")
        await context.close()

    placed = await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1 AND placed_by_kind = 'staff'", citizen)
    assert placed == 2
    reasons = await db.fetch("""SELECT DISTINCT detail->>'reason' AS reason FROM audit_log
                                 WHERE action = 'staff_viewed_citizen' AND citizen_id = $1""", citizen)
    assert {r["reason"] for r in reasons} == {"inbound_call"}

    context = await browser.new_context(viewport=SIZES[0], locale="da-DK")
    phone = await context.new_page()
    collect_errors(phone, errors)
    await phone.goto(live_server + "/login")
    await phone.get_by_role("button", name="Karen Jensen").click()
    await phone.goto(live_server + "/callbacks")
    await phone.get_by_role("heading", level=1, name="Mine opkald").wait_for()
    await expect(phone.get_by_test_id("callback-summary").first).to_contain_text(ADVICE)
    assert INTERNAL not in await phone.content()
    await assert_accessible(phone)
    await context.close()
    assert errors == []
