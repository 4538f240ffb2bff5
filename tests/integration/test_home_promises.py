"""The home page's sentences do not contradict each other or what the other pages say.

"Left this period: 0 pieces" next to "You can order up to 6 packs now" says why (the next
periods' supply may be ordered in advance, from the date the next period starts); a parcel on
its way is shown before the same basket is offered again; a municipality that is not live yet
promises no packs; the custom order form and FSC's order by phone say what the home page says.
"""

import datetime as dt
import re

from backend.i18n import format_date
from backend.seed.demo import MAIN_DEMO_CPR, NOT_LIVE_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.factories import make_citizen, make_grant, make_order, make_product
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.test_home import grant_card, text_of
from tests.integration.test_staff import post, staff_id, staff_login

AHEAD_EMPTY = "Du har bestilt det, du må i denne periode. Men du må godt bestille til de næste perioder på forhånd."
AHEAD_REST = "Det er resten af denne periode og forbruget til de næste perioder, som du godt må bestille på forhånd."


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def hint(html: str, field_id: str) -> str:
    match = re.search(rf'<span class="form-hint[^"]*" id="{field_id}-hint">(.*?)</span>', html, re.S)
    assert match, field_id
    return words(match.group(1))


async def test_ordering_ahead_says_why_and_from_when(client, db):
    today = local_today()
    citizen = await make_citizen(db, "Forud Bestiller", "0808801234", stoma_since=today - dt.timedelta(days=900))
    used_up = await make_product(db, "Brugt Pose", 30)
    partly = await make_product(db, "Halv Pose", 30)
    start = today - dt.timedelta(days=10)  # 30-day periods: the next one starts in 20 days
    empty_grant = await make_grant(db, citizen, used_up, 90, start)
    rest_grant = await make_grant(db, citizen, partly, 90, start)
    await make_order(db, citizen, empty_grant, used_up, 3, 30, today - dt.timedelta(days=5))
    await make_order(db, citizen, rest_grant, partly, 2, 30, today - dt.timedelta(days=5))
    next_period = format_date(start + dt.timedelta(days=30))
    await login(client, citizen)
    html = (await client.get("/")).text

    card = grant_card(html, empty_grant)
    assert text_of(card, "left") == "Tilbage i denne periode: 0 stk. (0 pakker)"
    assert text_of(card, "orderable") == (f"Du kan bestille op til 6 pakker nu. {AHEAD_EMPTY} "
                                          f"Næste periode begynder den {next_period}.")
    card = grant_card(html, rest_grant)
    assert text_of(card, "left") == "Tilbage i denne periode: 30 stk. (1 pakke)"
    assert text_of(card, "orderable") == (f"Du kan bestille op til 7 pakker nu. {AHEAD_REST} "
                                          f"Næste periode begynder den {next_period}.")
    # The custom order form says the same.
    form = (await client.get("/orders/new")).text
    assert hint(form, f"packs-{empty_grant}").startswith(text_of(grant_card(html, empty_grant), "orderable"))


async def test_a_parcel_on_its_way_is_shown_before_the_basket_is_offered_again(client, db):
    today = local_today()
    citizen = await make_citizen(db, "Pakke Påvej", "0909801234", stoma_since=today - dt.timedelta(days=900))
    product = await make_product(db, "Påvej Pose", 30)
    await make_grant(db, citizen, product, 90, today - dt.timedelta(days=10))
    await login(client, citizen)
    placed = await client.post("/orders/reorder", data={"_csrf_token": await csrf_token(client),
                                                        "idempotency_key": "7d3c0f0e-0000-4000-8000-0000000000a1"},
                               follow_redirects=False)
    assert placed.status_code == 303, placed.text
    receipt = placed.headers["location"]
    expected = await db.fetchval("SELECT expected_delivery FROM order_ WHERE id = $1", int(receipt.rsplit("/", 1)[1]))

    html = (await client.get("/")).text
    notice = f"Din pakke er på vej – forventet levering {format_date(expected)}."
    assert notice in words(html)
    on_its_way = re.search(r'data-testid="on-its-way">(.*?)</p>', html, re.S).group(1)
    assert f'href="{receipt}"' in on_its_way and "Følg din pakke" in on_its_way
    assert html.index('data-testid="on-its-way"') < html.index('action="/orders/reorder"')
    assert "Har du brug for mere, før den kommer?" in html

    await db.execute("UPDATE order_ SET status = 'delivered' WHERE citizen_id = $1", citizen)
    html = (await client.get("/")).text
    assert "på vej" not in words(html) and 'data-testid="on-its-way"' not in html
    assert "Din seneste bestilling: Leveret" in words(html)


async def test_a_municipality_not_live_yet_promises_no_packs(client, db):
    citizen = await citizen_id_by_cpr(db, NOT_LIVE_CPR)
    await login(client, citizen)
    go_live = format_date(await db.fetchval(
        "SELECT a.go_live FROM citizen c JOIN authority a ON a.id = c.municipality_id WHERE c.id = $1", citizen))
    html = words((await client.get("/")).text)
    assert f"Din kommune begynder at bruge Fælles Bestilling den {go_live}" in html
    assert not re.search(r"Du kan bestille (op til )?\d+ pakker? nu", html)
    # "More can be ordered from" names the go-live date, not the next grant period.
    assert set(re.findall(r"Du kan bestille mere fra (\d+\. \w+ \d{4})", html)) == {go_live}


async def test_the_phone_order_form_says_what_the_citizens_home_page_says(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    home = (await client.get("/")).text
    cards = {int(g): text_of(grant_card(home, int(g)), "orderable")
             for g in re.findall(r'<li class="card grant" id="grant-(\d+)">', home)}
    assert any(AHEAD_EMPTY in text for text in cards.values())  # the seed has a grant used up this period

    callback = await book_directly(db, citizen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    await post(client, f"/fsc/callbacks/{callback}/claim")
    view = (await client.get(f"/fsc/callbacks/{callback}")).text
    shown = {int(g) for g in re.findall(r'name="packs-(\d+)"', view)}
    assert shown
    for grant in shown:
        assert hint(view, f"phone-packs-{grant}") == cards[grant]
