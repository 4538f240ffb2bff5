"""Workers are woken after the commit that queued jobs, never inside it (issue 17's stalls).

A transaction that NOTIFYs holds PostgreSQL's database-wide notify lock through its commit's WAL
flush, so notifying orders commit one at a time. The order's own transaction must therefore send
nothing; the wake-up comes when its connection goes back to the pool, in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import msgspec

from backend.db.pool import connect, create_pool
from backend.jobs import CHANNEL, QUEUE_TRIGGER, enqueue, install_or_upgrade
from backend.orders.models import Actor, PlaceOrder
from backend.orders.service import place_order
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr

MARKER = "test_marker"


class Listener:
    """Notifications on pgqueuer's channel and a marker channel, in the order they arrive."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.marker = asyncio.Event()

    def __call__(self, _conn, _pid, channel: str, payload: str) -> None:
        self.seen.append((channel, payload))
        if channel == MARKER:
            self.marker.set()

    async def until_marker(self, sender: asyncpg.Connection) -> list[tuple[str, str]]:
        """What arrived before a marker that ``sender`` sends now: notifications reach a listener in
        commit order, so anything ``sender`` committed earlier has arrived once the marker has."""
        self.marker.clear()
        await sender.execute(f"NOTIFY {MARKER}")
        await asyncio.wait_for(self.marker.wait(), 10)
        before = [item for item in self.seen if item[0] != MARKER]
        self.seen.clear()
        return before


async def listening(db_url: str) -> tuple[asyncpg.Connection, Listener]:
    conn = await connect(db_url)
    listener = Listener()
    await conn.add_listener(CHANNEL, listener)
    await conn.add_listener(MARKER, listener)
    return conn, listener


async def test_the_queue_trigger_is_off_and_stays_off_after_an_upgrade(db: asyncpg.Connection) -> None:
    await install_or_upgrade(db)  # what every `fsc migrate` runs again
    state = await db.fetchval("SELECT tgenabled FROM pg_trigger WHERE tgname = $1", QUEUE_TRIGGER)
    assert state == b"D"


async def test_an_order_commits_without_notify_and_wakes_the_workers_once_afterwards(db_url: str, db) -> None:
    citizen_id = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    listen_conn, listener = await listening(db_url)
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            placed = await place_order(conn, PlaceOrder(citizen_id=citizen_id, key=uuid.uuid4(),
                                                        actor=Actor("citizen", citizen_id)), local_today())
            # Committed, connection not yet released: no notification, the order's jobs are there.
            assert await listener.until_marker(conn) == []
            assert await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_placed'") >= 1
        async with pool.acquire() as conn:  # released once: exactly one wake-up, pgqueuer's event
            woken = await listener.until_marker(conn)
        assert [channel for channel, _ in woken] == [CHANNEL]
        assert msgspec.json.decode(woken[0][1])["type"] == "table_changed_event"
        async with pool.acquire() as conn:  # nothing queued since: no wake-up on the next release
            await conn.fetchval("SELECT 1")
        async with pool.acquire() as conn:
            assert await listener.until_marker(conn) == []
        assert placed.order_id
    finally:
        await pool.close()
        await listen_conn.close()


async def test_a_rolled_back_enqueue_wakes_nobody_inside_the_transaction(db_url: str) -> None:
    listen_conn, listener = await listening(db_url)
    conn = await connect(db_url)
    try:
        tr = conn.transaction()
        await tr.start()
        await enqueue(conn, "order_placed", {"order_id": -1})
        await tr.rollback()
        assert await listener.until_marker(conn) == []
        assert await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE payload::text LIKE '%-1%'") == 0
        await enqueue(conn, "order_placed", {"order_id": -2})  # outside a transaction: woken at once
        assert [channel for channel, _ in await listener.until_marker(conn)] == [CHANNEL]
    finally:
        await conn.close()
        await listen_conn.close()
