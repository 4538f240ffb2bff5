"""CSRF bound to the session, cross-origin state changes refused, HSTS over https (issue 13, item 7)."""

from __future__ import annotations

import uuid

import pytest

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login, make_settings


@pytest.fixture
async def new_orders(db):
    """How many orders were placed since the test began (the demo citizens have some from the seed)."""
    baseline = await db.fetchval("SELECT coalesce(max(id), 0) FROM order_")

    async def count() -> int:
        return await db.fetchval("SELECT count(*) FROM order_ WHERE id > $1", baseline)

    return count


async def reorder(client, token: str, **headers: str):
    return await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()), "_csrf_token": token},
                             headers=headers, follow_redirects=False)


async def test_the_token_from_before_the_login_does_not_work_after_it(client, db, new_orders):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    before = await csrf_token(client)
    await login(client, citizen)
    after = await csrf_token(client)
    assert after != before
    page = (await client.get("/")).text
    assert f'value="{after}"' in page or after in page  # the pages carry the session's token

    refused = await reorder(client, before)
    assert refused.status_code == 403
    assert await new_orders() == 0
    accepted = await reorder(client, after)
    assert accepted.status_code == 303, accepted.text
    assert await new_orders() == 1


async def test_an_attackers_own_cookie_and_token_pair_is_refused_beside_the_victims_session(client, db, db_url, new_orders,
                                                                                            settings):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    async with AsyncTestClient(app=create_app(settings, database_url=db_url),
                               base_url="http://testserver.local") as attacker:
        attackers_token = await csrf_token(attacker)  # a valid signed-out pair of the attacker's own
    await login(client, citizen)
    client.cookies.set("fsc_csrf", attackers_token, domain="testserver.local")
    refused = await reorder(client, attackers_token)
    assert refused.status_code == 403
    assert await new_orders() == 0


async def test_a_new_login_gives_a_new_token(client, db, new_orders):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    first = await csrf_token(client)
    await login(client, citizen)
    second = await csrf_token(client)
    assert first != second
    assert (await reorder(client, first)).status_code == 403
    assert (await reorder(client, second)).status_code == 303


async def test_a_page_from_an_ended_session_sends_the_citizen_to_log_in_again(client, db, new_orders):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    token = await csrf_token(client)
    await db.execute("DELETE FROM session WHERE citizen_id = $1", citizen)
    response = await reorder(client, token)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert await new_orders() == 0


async def test_state_changes_from_a_foreign_origin_are_refused(client, db, new_orders):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    token = await csrf_token(client)
    for origin in ("https://evil.example", "null", "http://testserver.local.evil.example"):
        refused = await reorder(client, token, origin=origin)
        assert refused.status_code == 403, origin
    assert await new_orders() == 0
    same = await reorder(client, token, origin="http://testserver.local")
    assert same.status_code == 303
    assert await new_orders() == 1


async def test_hsts_only_when_served_over_https(db_url):
    plain = create_app(make_settings(), database_url=db_url)
    async with AsyncTestClient(app=plain, base_url="http://testserver.local") as client:
        assert "strict-transport-security" not in (await client.get("/login")).headers
    secure = create_app(make_settings(cookie_secure=True), database_url=db_url)
    async with AsyncTestClient(app=secure, base_url="https://testserver.local") as client:
        for path in ("/login", "/static/css/app.css", "/does-not-exist"):
            assert (await client.get(path)).headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
