"""Background jobs on PostgreSQL via pgqueuer (SKIP LOCKED + LISTEN/NOTIFY, durable tables).

A request never performs a side effect itself: it enqueues a job with ``enqueue`` on the SAME
connection, inside the same transaction as the data the job is about, so the job exists exactly
when the data does. The worker process (``fsc worker``) runs the jobs at least once; handlers
must be idempotent. A ``dedupe_key`` keeps a second identical job from being queued while the
first is still waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import msgspec
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries


def queries(conn: asyncpg.Connection) -> Queries:
    return Queries(AsyncpgDriver(conn))


async def install_or_upgrade(conn: asyncpg.Connection) -> None:
    """Create pgqueuer's tables on first run, converge them after a pgqueuer upgrade."""
    q = queries(conn)
    if not await q.schema_is_installed():
        await q.install()
    else:
        await q.upgrade()


async def enqueue(
    conn: asyncpg.Connection,
    entrypoint: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    run_after: dt.timedelta | None = None,
    priority: int = 0,
) -> None:
    """Queue a job on ``conn`` (join the caller's transaction)."""
    await queries(conn).enqueue(
        entrypoint,
        msgspec.json.encode(payload),
        priority=priority,
        execute_after=run_after,
        dedupe_key=dedupe_key,
    )


def decode_payload(data: bytes | None) -> dict[str, Any]:
    return msgspec.json.decode(data) if data else {}
