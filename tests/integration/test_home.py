"""The citizen's home page through the ASGI app: balances, isolation, login flow, errors."""

import datetime as dt
import re

from backend.auth.sessions import SESSION_COOKIE
from backend.seed.demo import MAIN_DEMO_CPR, NOT_LIVE_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.factories import make_citizen, make_grant, make_order, make_product


def grant_card(html: str, grant_id: int) -> str:
    match = re.search(rf'<li class="card grant" id="grant-{grant_id}">(.*?)</li>', html, re.S)
    assert match, f"grant {grant_id} not on the page"
    return match.group(1)


def text_of(fragment: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</(?:p|dd)>', fragment, re.S)
    assert match, testid
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


async def test_logged_out_visitor_is_sent_to_login(client):
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    page = await client.get("/login")
    assert page.status_code == 200
    assert "Log ind" in page.text


async def test_home_shows_balances_for_this_period(client, db):
    today = local_today()
    citizen = await make_citizen(db, "Test Testesen", "0101801234")
    product = await make_product(db, "Balance Testpose Midi")
    # Period of 30 days that started 10 days ago: one order in this period, one in the last,
    # one cancelled in this period (must not count).
    start = today - dt.timedelta(days=40)
    grant = await make_grant(db, citizen, product, 90, start)
    await make_order(db, citizen, grant, product, 2, 30, today - dt.timedelta(days=35))
    await make_order(db, citizen, grant, product, 1, 30, today - dt.timedelta(days=5))
    await make_order(db, citizen, grant, product, 1, 30, today - dt.timedelta(days=2), status="cancelled")
    await login(client, citizen)
    response = await client.get("/")
    assert response.status_code == 200
    card = grant_card(response.text, grant)
    assert "Balance Testpose Midi" in card
    assert text_of(card, "used") == "30 stk."
    assert text_of(card, "left") == "Tilbage i denne periode: 60 stk. (2 pakker)"
    assert text_of(card, "granted") == "90 stk. pr. 30 dage"
    assert text_of(card, "expiry") == "Indtil videre"


async def test_home_adds_up_several_orders_in_one_period_as_the_reorder_does(client, db):
    today = local_today()
    citizen = await make_citizen(db, "Flere Ordrer", "0404801234")
    product = await make_product(db, "Sum Testpose Maxi")
    grant = await make_grant(db, citizen, product, 90, today - dt.timedelta(days=40))  # period began 10 days ago
    for days_ago in (5, 3):
        await make_order(db, citizen, grant, product, 1, 30, today - dt.timedelta(days=days_ago))
    await login(client, citizen)
    card = grant_card((await client.get("/")).text, grant)
    assert text_of(card, "used") == "60 stk."
    assert text_of(card, "left") == "Tilbage i denne periode: 30 stk. (1 pakke)"
    # What the page offers is what the one tap orders.
    placed = await client.post("/orders/reorder", data={"_csrf_token": await csrf_token(client),
                                                        "idempotency_key": "7d3c0f0e-0000-4000-8000-000000000001"},
                               follow_redirects=False)
    assert placed.status_code == 303, placed.text
    order_id = int(placed.headers["location"].rsplit("/", 1)[1])
    assert await db.fetchval("SELECT sum(packs) FROM order_line WHERE order_id = $1", order_id) == 1


async def test_another_citizens_grants_never_appear(client, db):
    me = await make_citizen(db, "Mig Selv", "0202801234")
    other = await make_citizen(db, "Anden Borger", "0303801234")
    mine = await make_product(db, "Min Egen Pose")
    theirs = await make_product(db, "Hemmelig Anden Pose")
    my_grant = await make_grant(db, me, mine, 60, local_today() - dt.timedelta(days=3))
    their_grant = await make_grant(db, other, theirs, 60, local_today() - dt.timedelta(days=3))
    await login(client, me)
    html = (await client.get("/")).text
    assert f'id="grant-{my_grant}"' in html and "Min Egen Pose" in html
    assert f'id="grant-{their_grant}"' not in html
    assert "Hemmelig Anden Pose" not in html and "Anden Borger" not in html


async def test_seeded_main_citizen_sees_exactly_their_grants(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    grant_ids = {r["id"] for r in await db.fetch("SELECT id FROM grant_ WHERE citizen_id = $1", citizen)}
    await login(client, citizen)
    html = (await client.get("/")).text
    shown = {int(g) for g in re.findall(r'id="grant-(\d+)"', html)}
    assert shown == grant_ids
    assert "Tilbage i denne periode: 0 stk." in html  # one grant fully used this period (seed)


async def test_not_live_municipality_is_told_kindly(client, db):
    citizen = await citizen_id_by_cpr(db, NOT_LIVE_CPR)
    await login(client, citizen)
    html = (await client.get("/")).text
    assert "Du kan ikke bestille her endnu" in html
    assert "Din kommune begynder at bruge Fælles Bestilling den" in html
    assert "/orders/reorder" not in html


async def test_expiring_grant_is_flagged(client, db):
    citizen = await make_citizen(db, "Udløb Snart", "0404801234")
    product = await make_product(db, "Udløbspose")
    today = local_today()
    await make_grant(db, citizen, product, 60, today - dt.timedelta(days=100), valid_to=today + dt.timedelta(days=10))
    await login(client, citizen)
    html = (await client.get("/")).text
    assert "Din bevilling udløber snart" in html


async def test_malformed_or_unknown_session_cookie_means_logged_out(client):
    for value in ("%%%not-a-token%%%", "x" * 43, "a"):
        client.cookies.set(SESSION_COOKIE, value)
        response = await client.get("/", follow_redirects=False)
        assert response.status_code == 303, value
        assert response.headers["location"] == "/login"


async def test_logout_ends_the_session_in_the_database(client, db):
    citizen = await make_citizen(db, "Log Ud", "0505801234")
    await login(client, citizen)
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 1
    response = await client.post("/logout", data={"_csrf_token": await csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 0
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    actions = [r["action"] for r in await db.fetch(
        "SELECT action FROM audit_log WHERE citizen_id = $1 ORDER BY id", citizen)]
    assert actions == ["login", "logout"]


async def test_demo_login_rejects_unknown_and_non_demo_citizens(client, db):
    real = await make_citizen(db, "Ikke Demo", "0606801234", is_demo=False)
    token = await csrf_token(client)
    for value in (str(real), "999999", "abc", ""):
        response = await client.post("/login/demo", data={"citizen_id": value, "_csrf_token": token})
        assert response.status_code == 422
        assert "Vælg en person på listen." in response.text
    assert await db.fetchval("SELECT count(*) FROM session") == 0
