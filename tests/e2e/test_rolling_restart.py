"""A rolling restart of the two web processes (SIGTERM, wait, start again; then the other) under a
steady stream of one-tap orders: every request is answered, and every order stored once.

The test plays the load balancer: requests alternate between the processes; a connection that is
refused, or closed with no answer at all, goes to the other one, as a load balancer does with a
backend that has stopped listening. A request a process is working on is answered by it: SIGTERM
lets it finish (the first test holds one in flight across the SIGTERM)."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
import uuid

import httpx

from backend.db.pool import connect
from tests.e2e.outage_stack import wait_until
from tests.e2e.scale_helpers import receipt_of, tap, tap_client
from tests.e2e.test_scale_out import orders_by_key

ORDERS_PER_SECOND = 25


async def test_sigterm_finishes_the_request_in_flight_and_takes_no_new_connection(scaled, citizens):
    (citizen,) = citizens.take(1)
    conn = await connect(scaled.db_url)
    try:
        lock = conn.transaction()
        await lock.start()
        # The citizen's grants locked: the order waits in the web process, as a slow request would.
        await conn.execute("SELECT id FROM grant_ WHERE citizen_id = (SELECT id FROM citizen "
                           "WHERE name = $1) FOR UPDATE", f"Bench Borger {citizen}")
        async with tap_client() as client:
            key = uuid.uuid4()
            order = asyncio.create_task(tap(client, scaled.url("web1"), citizen, key))
            await wait_until(lambda: waiting_on_a_lock(scaled.db_url), 10, "the order waiting")
            web1 = scaled.processes.pop("web1")
            web1.send_signal(signal.SIGTERM)
            await wait_until(lambda: refused(scaled.url("web1")), 10, "web1 no longer taking connections")
            assert web1.poll() is None and not order.done()  # still finishing the one in flight
            await lock.rollback()
            receipt = receipt_of(await order)
            assert await asyncio.to_thread(web1.wait, 30) == 0
    finally:
        await conn.close()
    assert (await orders_by_key(scaled.db_url, [key])) == {key: receipt}
    await asyncio.to_thread(scaled.start, "web1")


async def waiting_on_a_lock(db_url: str) -> bool:
    """(On a connection of its own: a transaction sees one snapshot of pg_stat_activity.)"""
    conn = await connect(db_url)
    try:
        return await conn.fetchval("SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    finally:
        await conn.close()


async def refused(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(url + "/healthz")
    except httpx.ConnectError:
        return True
    except httpx.HTTPError:
        return False
    return False


async def test_a_rolling_restart_of_the_web_processes_answers_every_order(scaled, citizens):
    pool = iter(citizens.take(850))  # one tap each: more than 30 s of the stream
    names = itertools.cycle(("web1", "web2"))
    sent: list[uuid.UUID] = []
    answers: dict[uuid.UUID, int] = {}
    failures: list[str] = []
    moved = 0

    async def one(client: httpx.AsyncClient, citizen: int, key: uuid.UUID) -> None:
        nonlocal moved
        first = next(names)
        for attempt, name in enumerate((first, "web2" if first == "web1" else "web1")):
            try:
                answers[key] = receipt_of(await tap(client, scaled.url(name), citizen, key))
                return
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
                # Refused, or closed without a byte of answer (accepted into the kernel's queue just as
                # the process stopped listening): the balancer tries the other process, as HAProxy's
                # "retry-on conn-failure empty-response" does. Safe: the order carries its key.
                moved += attempt == 0
            except Exception as exc:  # noqa: BLE001 - counted, the test fails below
                failures.append(f"{name}: {type(exc).__name__} {exc}")
                return
        failures.append("both processes refused the connection")

    async def restart(name: str) -> None:
        code = await asyncio.to_thread(scaled.signal, name, signal.SIGTERM, 40)
        assert code == 0, f"{name} ended with {code} after SIGTERM"
        await asyncio.to_thread(scaled.start, name)

    async def rolling() -> None:
        await asyncio.sleep(1)
        await restart("web1")
        await asyncio.sleep(1)
        await restart("web2")
        await asyncio.sleep(1)

    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request, as spread by a balancer
    async with tap_client(limits=limits) as client:
        restarting = asyncio.create_task(rolling())
        in_flight: set[asyncio.Task] = set()
        started = time.monotonic()
        n = 0
        while not restarting.done() and (citizen := next(pool, None)) is not None:
            n += 1
            key = uuid.uuid4()
            sent.append(key)
            task = asyncio.create_task(one(client, citizen, key))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            # Open loop: the next order leaves on schedule, whatever the last one is doing.
            await asyncio.sleep(max(0.0, started + n / ORDERS_PER_SECOND - time.monotonic()))
        await restarting
        await asyncio.gather(*in_flight)
    assert failures == [], failures[:5]
    assert len(answers) == len(sent) and len(sent) >= 100, (len(answers), len(sent))
    assert moved > 0, "no request met a stopped process; the restart was not under load"
    stored = await orders_by_key(scaled.db_url, sent)
    assert stored == answers and len(set(stored.values())) == len(sent)
