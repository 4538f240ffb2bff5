"""Background jobs on PostgreSQL via pgqueuer (SKIP LOCKED + LISTEN/NOTIFY, durable tables).

A request never performs a side effect itself: it enqueues a job with ``enqueue`` on the SAME
connection, inside the same transaction as the data the job is about, so the job exists exactly
when the data does. The worker process (``fsc worker``) runs the jobs at least once; handlers
must be idempotent. A ``dedupe_key`` keeps a second identical job from being queued while the
first is still waiting.

Waking the worker happens AFTER the commit, not in it (docs/decisions.md, 2026-11-29 "stalls"):
pgqueuer's row trigger NOTIFYs inside the transaction, and PostgreSQL serialises the commits of
all notifying transactions, WAL flush included, behind one database-wide lock. Every order
waited for every other order's disk flush (no group commit): PostgreSQL alone managed 280-330
such orders/s against 815-980/s without, and any slow flush stalled every order and, through the
pool, every page. So ``install_or_upgrade`` disables that trigger, ``enqueue`` marks the
connection, and when the connection goes back to the pool (its transaction over) ``wake_workers``
sends the same event in a transaction of its own that does not wait for the disk. A wake-up lost
in a crash costs at most the worker's poll interval (backend/worker.py POLL_S); the job itself
is durable either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import msgspec
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries


CHANNEL = "ch_pgqueuer"  # pgqueuer's default channel and trigger names (no prefix configured)
QUEUE_TRIGGER = "tg_pgqueuer_changed"
# The event pgqueuer's trigger would send (pgqueuer.domain.models.TableChangedEvent); one
# round trip, committed without waiting for the WAL flush.
_WAKE_SQL = f"""BEGIN; SET LOCAL synchronous_commit = off;
SELECT pg_notify('{CHANNEL}', json_build_object('channel', '{CHANNEL}', 'operation', 'insert',
       'sent_at', now(), 'table', 'pgqueuer', 'type', 'table_changed_event')::text);
COMMIT;"""

# Server process ids of the connections that queued a job since they last woke the workers.
_queued_on: set[int] = set()


def queries(conn: asyncpg.Connection) -> Queries:
    return Queries(AsyncpgDriver(conn))


async def install_or_upgrade(conn: asyncpg.Connection) -> None:
    """Create pgqueuer's tables on first run, converge them after a pgqueuer upgrade; then turn off
    its in-transaction NOTIFY trigger (see the module's docstring: workers are woken after commit)."""
    q = queries(conn)
    if not await q.schema_is_installed():
        await q.install()
    else:
        await q.upgrade()
    enabled = await conn.fetchval(
        "SELECT tgenabled <> 'D' FROM pg_trigger WHERE tgname = $1 AND tgrelid = 'pgqueuer'::regclass",
        QUEUE_TRIGGER)
    if enabled:
        await conn.execute(f"ALTER TABLE pgqueuer DISABLE TRIGGER {QUEUE_TRIGGER}")


async def wake_workers(conn: asyncpg.Connection) -> None:
    """Tell the workers (LISTEN on pgqueuer's channel) that jobs are waiting, if this connection
    queued any since it last did; outside a transaction only (after the commit that made them)."""
    pid = conn.get_server_pid()
    if pid in _queued_on and not conn.is_in_transaction():
        _queued_on.discard(pid)
        await conn.execute(_WAKE_SQL)


async def enqueue(
    conn: asyncpg.Connection,
    entrypoint: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    run_after: dt.timedelta | None = None,
    priority: int = 0,
) -> None:
    """Queue a job on ``conn`` (join the caller's transaction); the workers are woken when the
    connection goes back to the pool, or at once when ``conn`` is not in a transaction."""
    await queries(conn).enqueue(
        entrypoint,
        msgspec.json.encode(payload),
        priority=priority,
        execute_after=run_after,
        dedupe_key=dedupe_key,
    )
    queued_on(conn)
    if not conn.is_in_transaction():  # already committed: nothing to wait for
        await wake_workers(conn)


def queue_in_statement(name: str, *, entrypoint: str, payload: str, dedupe_key: str, source: str,
                       where: str = "") -> str:
    """Two CTEs (``name`` and ``name_log``) that queue one job per row of ``source`` in a larger
    statement, writing what pgqueuer's own ``enqueue`` writes (pgqueuer.qb build_enqueue_query): the
    job, queued now, its headers and its 'queued' log row (pgqueuer passes the headers as the text
    'null', which our connections' jsonb codec stores as the JSON string "null"). For a statement that queues a job
    together with the data it is about in one round trip (the order: backend/orders/queries.py).
    ``payload`` and ``dedupe_key`` are SQL text expressions over ``source``; the caller then calls
    ``queued_on(conn)``. A dedupe-key clash raises, as ``enqueue`` does: use keys that are new.
    tests/integration/test_jobs_in_statement.py holds the rows to pgqueuer's."""
    condition = f" WHERE {where}" if where else ""
    return f"""{name} AS (
        INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, dedupe_key, headers, status)
        SELECT 0, '{entrypoint}', convert_to({payload}, 'UTF8'), now(), {dedupe_key}, '"null"'::jsonb, 'queued'
          FROM {source}{condition}
        RETURNING id, entrypoint, priority),
     {name}_log AS (
        INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
        SELECT id, 'queued', entrypoint, priority FROM {name})"""


def queued_on(conn: asyncpg.Connection) -> None:
    """Remember that ``conn`` queued a job (for code that enqueues through pgqueuer directly)."""
    _queued_on.add(conn.get_server_pid())


def decode_payload(data: bytes | None) -> dict[str, Any]:
    return msgspec.json.decode(data) if data else {}
