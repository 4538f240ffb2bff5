"""The web app while its database is away (stopped, as in a restart) and after it is back.

Runs on a PostgreSQL server of its own (tests/restartable_postgres.py), never the shared one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.pool import connect
from backend.seed.demo import MAIN_DEMO_CPR
from backend.warehouse.signing import signature_headers
from tests.conftest import TEST_WAREHOUSE_SECRET, citizen_id_by_cpr, login, make_settings
from tests.restartable_postgres import RestartablePostgres, restartable_postgres, started_again, stopped_for_a_while

DANISH_TITLE = "Der er et kort driftsstop"
ENGLISH_TITLE = "The service is briefly unavailable"


@pytest.fixture
async def outage_client() -> AsyncIterator[tuple[AsyncTestClient, RestartablePostgres]]:
    """A signed-in citizen's client on an app whose database server the test may stop."""
    with restartable_postgres() as postgres:
        url = await postgres.prepare()
        conn = await connect(url)
        citizen = await citizen_id_by_cpr(conn, MAIN_DEMO_CPR)
        await conn.close()
        app = create_app(make_settings(), database_url=url)
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            await login(client, citizen)
            yield client, postgres


def signed_event() -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "received", "event_id": "outage-1", "order_id": 1,
                       "occurred_at": "2026-11-29T10:00:00Z"}).encode()
    return body, {"Content-Type": "application/json", **signature_headers(TEST_WAREHOUSE_SECRET.encode(), body)}


async def test_pages_answer_a_translated_503_while_the_database_is_away_and_work_again_after(outage_client):
    client, postgres = outage_client
    assert (await client.get("/")).status_code == 200
    await stopped_for_a_while(postgres)

    page = await client.get("/", headers={"Accept-Language": "da"})
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert DANISH_TITLE in page.text and "Mine bestillinger" in page.text
    english = await client.get("/orders/", headers={"Accept-Language": "en"})
    assert english.status_code == 503 and ENGLISH_TITLE in english.text
    signed_out = await client.get("/login", headers={"Accept-Language": "da", "Cookie": ""})
    assert signed_out.status_code == 503 and DANISH_TITLE in signed_out.text

    # A boosted htmx request (a link or a form) gets the page in place of the body; a background
    # fragment request (polling) keeps what is on the screen.
    boosted = await client.get("/orders/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 503 and boosted.headers["retry-after"] == "5"
    assert boosted.headers["hx-retarget"] == "body" and boosted.headers["hx-reswap"] == "innerHTML"
    assert DANISH_TITLE in boosted.text
    polled = await client.get("/", headers={"HX-Request": "true"})
    assert polled.status_code == 503 and polled.headers["hx-reswap"] == "none"

    body, headers = signed_event()
    api = await client.post("/api/v1/warehouse/events", content=body, headers=headers)
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["status"] == 503

    ready = await client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
    assert (await client.get("/healthz")).status_code == 200

    await started_again(postgres)
    # No dead connection is handed out after the restart: every request at once succeeds.
    pages = await asyncio.gather(*(client.get("/") for _ in range(8)))
    assert [p.status_code for p in pages] == [200] * 8
    assert (await client.get("/readyz")).status_code == 200


async def test_a_one_tap_order_during_the_outage_is_refused_with_503_and_writes_nothing(outage_client):
    import uuid

    from tests.conftest import csrf_token

    client, postgres = outage_client
    token = await csrf_token(client)
    key = str(uuid.uuid4())
    await stopped_for_a_while(postgres)
    refused = await client.post("/orders/reorder", data={"idempotency_key": key, "_csrf_token": token},
                                follow_redirects=False)
    assert refused.status_code == 503 and DANISH_TITLE in refused.text
    await started_again(postgres)
    conn = await connect(postgres.database_url("fsc"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM order_ WHERE idempotency_key = $1", uuid.UUID(key)) == 0
    finally:
        await conn.close()
    # The same tap again (the client's retry) now goes through, once.
    placed = await client.post("/orders/reorder", data={"idempotency_key": key, "_csrf_token": token},
                               follow_redirects=False)
    assert placed.status_code == 303 and placed.headers["location"].startswith("/orders/")
