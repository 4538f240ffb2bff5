"""Two browsers: a citizen books a call on a phone; an advisor's open queue shows it without a
reload, the advisor takes it and records the outcome; the citizen sees "Gennemført".
A supervisor's pages are checked too. axe-core reports no violations on any of the pages."""

import re

from playwright.async_api import expect

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.test_citizen_home import PHONE, assert_accessible

DESKTOP = {"width": 1280, "height": 900}


def collect_errors(page, errors: list[str]) -> None:
    # 4xx answers to forms are expected (translated error pages); anything else is a bug.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))


async def test_citizen_books_advisor_sees_it_live_claims_and_closes_it(live_server, browser, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    errors: list[str] = []

    # The advisor opens the queue first and leaves it open.
    staff_context = await browser.new_context(viewport=DESKTOP, locale="da-DK")
    advisor = await staff_context.new_page()
    collect_errors(advisor, errors)
    await advisor.goto(live_server + "/fsc/queue")
    assert "/fsc/login" in advisor.url
    await assert_accessible(advisor)
    await advisor.get_by_role("button", name="Anne Holm").click()
    await advisor.get_by_role("heading", level=1, name="Opkaldskø").wait_for()
    await assert_accessible(advisor)
    await advisor.evaluate("window.stillTheSamePage = true")
    assert await advisor.get_by_role("row", name=re.compile(name)).count() == 0

    # The citizen books on a phone.
    citizen_context = await browser.new_context(viewport=PHONE, locale="da-DK")
    phone = await citizen_context.new_page()
    collect_errors(phone, errors)
    await phone.goto(live_server + "/login")
    await phone.get_by_role("button", name=name).click()
    await phone.get_by_role("link", name="Ring mig op").click()
    await phone.get_by_role("heading", level=1, name="Ring mig op").wait_for()
    await assert_accessible(phone)
    await expect(phone.get_by_label("Telefonnummer")).to_have_value("+45 28 14 63 07")

    # Sending the form empty shows the errors (htmx swaps the 422 page in) without writing anything.
    await phone.get_by_role("button", name="Bestil opkaldet").click()
    await phone.get_by_text("Vælg, hvad opkaldet handler om.").first.wait_for()
    await assert_accessible(phone)
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1", citizen) == 0

    # Topic, another day (htmx swaps only the times; the topic stays chosen), a time, book.
    await phone.get_by_label(re.compile("^Produktrådgivning")).check()
    day_links = phone.locator(".day-link")
    second_day = (await day_links.nth(1).inner_text()).strip()
    await day_links.nth(1).click()
    await phone.get_by_text(f"Tidspunkt {second_day}").wait_for()
    await expect(phone.get_by_label(re.compile("^Produktrådgivning"))).to_be_checked()
    await phone.locator("input[name=slot]:not([disabled])").first.check()
    await phone.get_by_label(re.compile("^Er der noget")).fill("Basispladen lækker om natten.")
    await phone.get_by_role("button", name="Bestil opkaldet").click()
    await phone.get_by_role("heading", level=1, name="Mine opkald").wait_for()
    await phone.get_by_text("Dit opkald er bestilt").wait_for()
    await assert_accessible(phone)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    callback = await db.fetchval("SELECT id FROM callback WHERE citizen_id = $1", citizen)

    # The move page is accessible too (and the citizen keeps the time).
    await phone.get_by_role("link", name=re.compile("^Flyt")).click()
    await phone.get_by_role("heading", level=1, name="Flyt opkaldet").wait_for()
    await assert_accessible(phone)
    await phone.get_by_role("link", name="Behold det nuværende tidspunkt").click()
    await phone.get_by_role("heading", level=1, name="Mine opkald").wait_for()

    # The advisor's queue shows the request without a reload (htmx polling).
    row = advisor.locator(f"#request-{callback}")
    await row.wait_for(timeout=15_000)
    assert await advisor.evaluate("window.stillTheSamePage === true")
    await expect(row).to_contain_text(name)
    await expect(row.get_by_test_id("status")).to_have_text("Bestilt")
    await assert_accessible(advisor)

    # Take it, see the citizen's context, record the outcome.
    await row.get_by_role("button", name=re.compile("^Tag")).click()
    await advisor.get_by_role("heading", level=1, name=f"Opkald med {name}").wait_for()
    await advisor.get_by_text("Basispladen lækker om natten.").wait_for()
    await assert_accessible(advisor)
    await advisor.get_by_label("Rådgivning givet").check()
    await advisor.get_by_label("Note (kun for FSC)").fill("Anbefalet tætningsring.")
    await advisor.get_by_role("button", name="Gem resultatet").click()
    await advisor.get_by_role("heading", level=1, name="Opkaldskø").wait_for()
    await expect(advisor.locator(f"#request-{callback}").get_by_test_id("status")).to_have_text("Gennemført")
    await expect(advisor.locator(f"#request-{callback}").get_by_test_id("advisor")).to_have_text("Anne Holm")

    # The citizen sees that the call is done.
    await phone.reload()
    status = phone.locator(f"#callback-{callback}").get_by_test_id("callback-status")
    await expect(status).to_have_text("Gennemført")
    await assert_accessible(phone)

    # A supervisor's pages.
    await advisor.get_by_role("button", name="Log ud").click()
    await advisor.get_by_role("button", name="Peter Vang").click()
    await advisor.get_by_role("link", name="Åbningstider og kapacitet").click()
    await advisor.get_by_role("heading", level=1, name="Åbningstider og kapacitet").wait_for()
    await assert_accessible(advisor)
    await advisor.get_by_label("Mandag lukker").fill("07:00")
    await advisor.get_by_role("button", name="Gem åbningstider og kapacitet").click()
    await advisor.get_by_text("Lukketiden skal være efter åbnetiden.").first.wait_for()
    await assert_accessible(advisor)
    await advisor.get_by_role("link", name="Rapporter og adgangslog").click()
    await advisor.get_by_role("heading", level=1, name="Rapporter og adgangslog").wait_for()
    await expect(advisor.locator("table.access-log")).to_contain_text("Så borgerens oplysninger")
    await assert_accessible(advisor)

    assert errors == []
    await citizen_context.close()
    await staff_context.close()
