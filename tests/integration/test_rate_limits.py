"""Rate limits (issue 13 item 5): 429 with Retry-After, nothing written, per client and per account,
shared by every web process through PostgreSQL, reset after the window. The first tests use the
production defaults and the issue's own numbers."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.db.pool import create_pool
from backend.housekeeping import housekeeping
import pytest

from tests.conftest import PRODUCTION_LIMITS, csrf_token, make_settings
from tests.factories import make_citizen
from tests.integration.rate_limit_helpers import demo_login, retry_after, with_peer_addresses, written_by_logins


@pytest.fixture
def settings():
    return make_settings(**PRODUCTION_LIMITS)


async def demo_citizen_ids(db) -> list[int]:
    ids = [row["id"] for row in await db.fetch("SELECT id FROM citizen WHERE is_demo ORDER BY id")]
    assert len(ids) >= 4
    return ids


async def test_a_burst_of_logins_from_one_client_is_refused_after_30(client, db):
    """Issue: 300 logins at ~52/s all succeeded. Default: 30 a minute per client address."""
    ids = await demo_citizen_ids(db)
    newcomer = ids.pop()  # kept for after the burst, below its own account limit
    before = await written_by_logins(db)
    statuses = [(await demo_login(client, ids[i % 3])).status_code for i in range(30)]
    statuses += [(await demo_login(client, newcomer)).status_code for _ in range(2)]
    assert statuses == [303] * 30 + [429] * 2
    sessions, logins = await written_by_logins(db)
    assert (sessions - before[0], logins - before[1]) == (30, 30)  # the refused ones wrote nothing

    refused = await demo_login(client, newcomer)
    assert refused.status_code == 429 and 1 <= retry_after(refused) <= 60
    assert "For mange forsøg" in refused.text and "Vent et minut" in refused.text
    assert refused.headers["cache-control"] == "no-store" and "fsc_session" not in refused.headers.get("set-cookie", "")
    english = await demo_login(client, newcomer, **{"accept-language": "en"})
    assert "Too many attempts" in english.text and "Please wait a minute" in english.text
    assert await written_by_logins(db) == (sessions, logins)


async def test_one_account_is_limited_across_clients(db_url, db):
    """Default: 10 logins per person in 10 minutes, whichever addresses they come from."""
    app = with_peer_addresses(create_app(make_settings(**PRODUCTION_LIMITS), database_url=db_url))
    target, other = (await demo_citizen_ids(db))[:2]
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        statuses = [(await demo_login(client, target, peer=f"192.0.2.{i}")).status_code for i in range(1, 13)]
        assert statuses == [303] * 10 + [429] * 2
        refused = await demo_login(client, target, peer="198.51.100.7")
        assert refused.status_code == 429 and 540 <= retry_after(refused) <= 600
        assert "Vent 10 minutter" in refused.text
        # Another person from the same addresses is let in: the account's limit, not the client's.
        assert (await demo_login(client, other, peer="192.0.2.1")).status_code == 303


async def test_the_limit_resets_after_the_window_and_housekeeping_removes_ended_windows(db_url, db):
    settings = make_settings(rate_limit_login="3/1m,off")
    ids = await demo_citizen_ids(db)
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as client:
        assert [(await demo_login(client, ids[0])).status_code for _ in range(4)] == [303, 303, 303, 429]
        # A minute passes (the window's start moved back instead of waiting).
        await db.execute("UPDATE rate_limit SET window_start = window_start - interval '61 seconds'")
        pool = await create_pool(db_url, min_size=1, max_size=1)
        await housekeeping(pool)
        assert await db.fetchval("SELECT count(*) FROM rate_limit") == 0
        assert [(await demo_login(client, ids[0])).status_code for _ in range(4)] == [303, 303, 303, 429]
        await housekeeping(pool)  # a running window is kept
        await pool.close()
        assert await db.fetchval("SELECT hits FROM rate_limit") == 4


async def test_two_web_processes_share_the_limit(db_url, db):
    """Two apps (two processes' worth of pools) on one database count against one limit."""
    settings = make_settings(rate_limit_login="5/1m,off")
    ids = await demo_citizen_ids(db)
    first, second = (create_app(settings, database_url=db_url), create_app(settings, database_url=db_url))
    async with (AsyncTestClient(app=first, base_url="http://testserver.local") as one,
                AsyncTestClient(app=second, base_url="http://testserver.local") as two):
        statuses = [(await demo_login(one if i % 2 else two, ids[0])).status_code for i in range(7)]
    assert statuses == [303] * 5 + [429] * 2
    assert (await written_by_logins(db))[1] == 5


async def test_staff_demo_login_is_limited(db_url, db):
    settings = make_settings(rate_limit_login="off,2/1m")
    member = await db.fetchval("SELECT id FROM staff ORDER BY id LIMIT 1")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as client:
        statuses = []
        for _ in range(3):
            client.cookies.delete("fsc_staff_session")
            answer = await client.post("/fsc/login/demo", data={"staff_id": f"0{member}", "_csrf_token": await csrf_token(client)},
                                       follow_redirects=False)
            statuses.append(answer.status_code)
    assert statuses == [303, 303, 429]
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 2


async def test_trusted_proxy_forwarded_for_decides_the_client(db_url, db):
    ids = await demo_citizen_ids(db)

    async def statuses(settings, peer: str, forwarded: list[str]) -> list[int]:
        app = with_peer_addresses(create_app(settings, database_url=db_url))
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            return [(await demo_login(client, ids[i % 4], peer=peer, **{"x-forwarded-for": f})).status_code
                    for i, f in enumerate(forwarded)]

    spoofed = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    # Default (no trusted proxy): X-Forwarded-For is the client's own claim and is ignored.
    assert await statuses(make_settings(rate_limit_login="2/1m,off"), "192.0.2.10", spoofed) == [303, 303, 429]
    await db.execute("DELETE FROM rate_limit")
    # Behind the trusted proxy: each forwarded address is a client of its own; a client's own
    # entries left of what the proxy appended are not believed.
    trusted = make_settings(rate_limit_login="2/1m,off", trusted_proxies="10.0.0.0/8")
    forwarded = ["198.51.100.1", "6.6.6.6, 198.51.100.2", "7.7.7.7, 198.51.100.2", "198.51.100.2"]
    assert await statuses(trusted, "10.1.2.3", forwarded) == [303, 303, 303, 429]
    keys = {row["key"] for row in await db.fetch("SELECT key FROM rate_limit")}
    assert keys == {"login:client:198.51.100.1", "login:client:198.51.100.2"}


async def test_a_new_citizen_can_still_log_in_under_another_persons_burst(client, db):
    """Per-account keys are separate rows: one person's refusals do not touch another's count."""
    someone = await make_citizen(db, "Grænse Testesen", "0202801234")
    assert (await demo_login(client, someone)).status_code == 303
    assert await db.fetchval("SELECT hits FROM rate_limit WHERE key = $1", f"login:citizen:{someone}") == 1
