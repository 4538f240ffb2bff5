"""Scale-out on Debian's PostgreSQL server: two web and two worker processes on one database.

Requests alternate between the web processes (as a load balancer spreads them): a login, a CSRF
token, a rate limit and a live update begun on one work on the other; every job runs once across
both workers; a web process killed (SIGKILL) during a stream of one-tap orders loses no accepted
order (a retry with the same key to the other process gives the same receipt); a worker killed
loses no job."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
import uuid

import httpx
import pytest

from backend.db.pool import connect
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.outage_stack import handed_off, wait_until
from tests.e2e.scale_helpers import page_token, receipt_of, tap, tap_client
from tests.e2e.scaled_stack import CHECKS_PER_MINUTE, ScaledStack

def sim_counters(stack: ScaledStack) -> dict:
    with urllib.request.urlopen(stack.url("sim") + "/healthz", timeout=10) as response:
        return json.load(response)


@pytest.fixture(autouse=True)
async def sim_settled(scaled: ScaledStack) -> None:
    """Each test starts on a settled stack: the warehouse simulator has sent every event of the tests
    before (the rolling-restart test's order stream leaves it minutes of work on a loaded machine)."""
    def settled() -> bool:
        try:
            return sim_counters(scaled)["events_pending"] == 0
        except OSError:  # busy: not settled yet
            return False

    await wait_until(settled, 300, "the warehouse simulator done with earlier tests' events")


async def orders_by_key(db_url: str, keys: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    conn = await connect(db_url)
    try:
        rows = await conn.fetch("SELECT idempotency_key, id FROM order_ WHERE idempotency_key = ANY($1)", keys)
        return {row["idempotency_key"]: row["id"] for row in rows}
    finally:
        await conn.close()


async def test_a_login_csrf_token_and_rate_limit_from_one_web_process_hold_on_the_other(scaled):
    web1, web2 = scaled.url("web1"), scaled.url("web2")
    conn = await connect(scaled.db_url)
    try:
        citizen = await citizen_id_by_cpr(conn, MAIN_DEMO_CPR)
    finally:
        await conn.close()
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as browser:
        assert (await browser.get(web1 + "/")).status_code == 303  # signed out: to the login page
        login_page = await browser.get(web1 + "/login")
        # The login form from web1 is sent to web2; the session it makes is known to web1.
        done = await browser.post(web2 + "/login/demo", data={"citizen_id": str(citizen),
                                                                "_csrf_token": page_token(login_page.text)})
        assert done.status_code == 303, done.text[:300]
        home = await browser.get(web1 + "/")
        assert home.status_code == 200 and "Bestil igen" in home.text

        # A page's CSRF token from web2 is good on web1, a made-up one is refused there.
        token = page_token((await browser.get(web2 + "/orders/new")).text)
        check = {"hx-request": "true", "x-csrftoken": token}
        forged = await browser.post(web1 + "/orders/new/check", headers=check | {"x-csrftoken": "x" * 40})
        assert forged.status_code == 403
        # The live check's per-citizen limit is counted across both processes.
        answers = [await browser.post((web1, web2)[i % 2] + "/orders/new/check", headers=check)
                   for i in range(CHECKS_PER_MINUTE + 2)]
        statuses = [answer.status_code for answer in answers]
        assert all(status not in (403, 429) for status in statuses[:CHECKS_PER_MINUTE]), statuses
        assert statuses[CHECKS_PER_MINUTE:] == [429, 429], statuses


async def test_a_live_update_begun_on_one_web_process_is_answered_by_the_other(scaled, citizens):
    (citizen,) = citizens.take(1)
    async with tap_client() as client:
        order_id = receipt_of(await tap(client, scaled.url("web1"), citizen, uuid.uuid4()))
        cookie = {"Cookie": f"fsc_session=bench-session-{citizen:08d}"}
        page = await client.get(f"{scaled.url('web1')}/orders/{order_id}", headers=cookie)
        assert page.status_code == 200 and 'hx-trigger="every 10s"' in page.text
        poll = cookie | {"hx-request": "true"}

        async def delivered_on_web2() -> bool:
            fragment = await client.get(f"{scaled.url('web2')}/orders/{order_id}", headers=poll)
            assert fragment.status_code == 200
            return "Leveret" in fragment.text

        # The worker hands off, the simulator's events reach web2, web2's fragment follows the parcel.
        await wait_until(delivered_on_web2, 30, "the parcel delivered, seen through web2")


async def test_every_job_runs_once_across_both_workers(scaled, citizens):
    taking = citizens.take(40)
    before = sim_counters(scaled)
    async with tap_client() as client:
        answers = await asyncio.gather(*(tap(client, scaled.url(("web1", "web2")[n % 2]), citizen, uuid.uuid4())
                                         for n, citizen in enumerate(taking)))
    order_ids = [receipt_of(answer) for answer in answers]
    await wait_until(lambda: handed_off(scaled.db_url, order_ids), 30, "every order handed off")
    conn = await connect(scaled.db_url)
    try:
        await wait_until(lambda: conn.fetchval("SELECT count(*) = $2 FROM order_ WHERE id = ANY($1) AND status = "
                                               "'delivered'", order_ids, len(order_ids)), 40, "every order delivered")
        doubled = await conn.fetch("SELECT order_id, type FROM warehouse_event WHERE order_id = ANY($1) "
                                   "GROUP BY 1, 2 HAVING count(*) > 1", order_ids)
        assert doubled == []
    finally:
        await conn.close()
    after = sim_counters(scaled)
    assert after["pick_lists_received"] - before["pick_lists_received"] == len(order_ids)
    assert after["orders"] - before["orders"] == len(order_ids)


async def test_a_web_process_killed_mid_stream_loses_no_accepted_order(scaled, citizens):
    stream = [(citizen, uuid.uuid4()) for citizen in citizens.take(60)]
    accepted: dict[uuid.UUID, int] = {}  # key -> receipt from web1
    unanswered: list[tuple[int, uuid.UUID]] = []
    queue: asyncio.Queue = asyncio.Queue()
    for item in stream:
        queue.put_nowait(item)

    web1 = scaled.processes["web1"]

    async def sender(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            citizen, key = queue.get_nowait()
            try:
                accepted[key] = receipt_of(await tap(client, scaled.url("web1"), citizen, key))
            except httpx.TransportError:  # the process died with the request in flight (or refused it)
                unanswered.append((citizen, key))
            if len(accepted) == 15 and web1.poll() is None:  # SIGKILL while others' requests are in flight
                os.killpg(web1.pid, signal.SIGKILL)
            await asyncio.sleep(0.02)  # a steady stream, not one burst

    async with tap_client() as client:
        await asyncio.gather(*(sender(client) for _ in range(4)))
    web1.wait(timeout=10)
    scaled.processes.pop("web1")
    assert unanswered, "the kill came after the stream; nothing was tested"
    async with tap_client() as client:
        # The client tries again with the same key, now reaching web2: the same receipt, no second order.
        retried = {key: receipt_of(await tap(client, scaled.url("web2"), citizen, key)) for citizen, key in stream}
    assert {key: retried[key] for key in accepted} == accepted
    stored = await orders_by_key(scaled.db_url, [key for _, key in stream])
    assert stored == retried and len(set(stored.values())) == len(stream)
    scaled.start("web1")


async def test_a_worker_killed_loses_no_job(scaled, citizens):
    taking = citizens.take(40)
    async with tap_client() as client:
        answers = await asyncio.gather(*(tap(client, scaled.url("web2"), citizen, uuid.uuid4()) for citizen in taking))
    order_ids = [receipt_of(answer) for answer in answers]
    await wait_until(lambda: handed_off(scaled.db_url, order_ids, at_least=5), 20, "the workers at work")
    scaled.signal("worker1", signal.SIGKILL)
    # What worker1 held is picked again once its heartbeat is stale (2 s here); the rest worker2 runs.
    await wait_until(lambda: handed_off(scaled.db_url, order_ids), 40, "every order handed off")
    scaled.start("worker1")
