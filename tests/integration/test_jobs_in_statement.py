"""An order queues its jobs inside its one writing statement (jobs.queue_in_statement): the rows
must be those pgqueuer's own enqueue and push.notify_parcel_change would have written, so the
worker and pgqueuer's bookkeeping cannot tell the difference."""

from __future__ import annotations

import uuid

import asyncpg
import msgspec

from backend import jobs
from backend.db.pool import create_pool
from backend.orders.models import Actor, PlaceOrder
from backend.orders.service import place_order
from backend.push import PUSH_JOB, enqueue_notice
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr

# Columns that differ between any two jobs by nature (identity, time, what the job is about).
_OWN = {"id", "created", "updated", "heartbeat", "execute_after", "payload", "dedupe_key"}


def shape(row: asyncpg.Record) -> dict:
    return {name: value for name, value in dict(row).items() if name not in _OWN}


async def job(db: asyncpg.Connection, key: str) -> asyncpg.Record:
    row = await db.fetchrow("SELECT *, execute_after - created AS delay FROM pgqueuer WHERE dedupe_key = $1", key)
    assert row is not None, key
    return row


async def logged(db: asyncpg.Connection, job_id: int) -> list[tuple[str, str, int]]:
    return [tuple(r) for r in await db.fetch(
        "SELECT status::text, entrypoint, priority FROM pgqueuer_log WHERE job_id = $1", job_id)]


async def place(db_url: str, citizen: int) -> int:
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            placed = await place_order(conn, PlaceOrder(citizen_id=citizen, key=uuid.uuid4(),
                                                        actor=Actor("citizen", citizen)), local_today())
        return placed.order_id
    finally:
        await pool.close()


async def test_an_order_queues_the_rows_pgqueuer_and_the_notice_would(db: asyncpg.Connection, db_url: str) -> None:
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await db.execute("DELETE FROM push_subscription WHERE citizen_id = $1", citizen)
    await db.execute("""INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth)
                        VALUES ($1, 'https://push.example/x', 'p', 'a')""", citizen)
    # References written by pgqueuer's own enqueue, the way the app queued these jobs before.
    await jobs.enqueue(db, "order_placed", {"order_id": 0}, dedupe_key="reference:order")
    await enqueue_notice(db, {"type": "order_confirmed", "order_id": 0, "parcel_no": 1}, "reference:notice")

    order_id = await place(db_url, citizen)

    warehouse = await job(db, f"order_placed:{order_id}")
    assert shape(warehouse) == shape(await job(db, "reference:order"))
    assert warehouse["payload"] == msgspec.json.encode({"order_id": order_id})
    assert await logged(db, warehouse["id"]) == [("queued", "order_placed", 0)]

    key = f"parcel:{order_id}:1:placed:0"  # push.notify_parcel_change's key for this notice
    notice = await job(db, key)
    assert shape(notice) == shape(await job(db, "reference:notice"))
    assert notice["entrypoint"] == PUSH_JOB
    assert notice["payload"] == msgspec.json.encode(
        {"type": "order_confirmed", "order_id": order_id, "parcel_no": 1, "key": key})
    assert await logged(db, notice["id"]) == [("queued", PUSH_JOB, 0)]

    assert await db.fetchval("SELECT count(*) FROM parcel WHERE order_id = $1 AND parcel_no = 1", order_id) == 1
    audit = await db.fetchrow("""SELECT actor_kind, actor_id, citizen_id, detail FROM audit_log
                                  WHERE action = 'order_placed' AND detail->>'order_id' = $1""", str(order_id))
    assert (audit["actor_kind"], audit["actor_id"], audit["citizen_id"]) == ("citizen", citizen, citizen)
    assert audit["detail"] == {"order_id": order_id, "one_tap": True}


async def test_no_notice_is_queued_when_no_one_has_a_device(db: asyncpg.Connection, db_url: str) -> None:
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await db.execute("DELETE FROM push_subscription WHERE citizen_id = $1", citizen)
    await db.execute("""DELETE FROM push_subscription WHERE person_id IN
                          (SELECT person_id FROM power_of_attorney WHERE citizen_id = $1)""", citizen)
    order_id = await place(db_url, citizen)
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE dedupe_key = $1", f"order_placed:{order_id}") == 1
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB) == 0
