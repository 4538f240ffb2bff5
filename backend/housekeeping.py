"""Recurring clean-up: expired citizen and staff login sessions, old webhook signatures, ended
rate-limit windows (every 10 minutes); and nightly, everything past its retention period."""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg

from backend.auth.queries import delete_expired_sessions
from backend.ratelimit.queries import delete_ended_windows
from backend.staff.queries import delete_expired_staff_sessions

log = logging.getLogger("fsc.worker")


async def housekeeping(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        removed = await delete_expired_sessions(conn) + await delete_expired_staff_sessions(conn)
        # Signatures only matter inside the webhook's replay window (5 minutes).
        await conn.execute("DELETE FROM webhook_signature WHERE seen_at < now() - interval '1 hour'")
        # A key whose window has ended starts afresh at its next hit anyway; its row can go.
        await delete_ended_windows(conn)
    if removed:
        log.info("removed %d expired sessions", removed)


async def nightly_retention(pool: asyncpg.Pool, settings) -> None:  # noqa: ANN001 - Settings
    """Everything past its retention period (backend/retention.py, docs/retention.md)."""
    from backend.retention import purge

    async with pool.acquire() as conn:
        removed = await purge(conn, settings, dt.datetime.now(dt.UTC))
    log.info("retention purge: %s", ", ".join(f"{name} {count}" for name, count in removed.items()))


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    @worker.every("housekeeping", "*/10 * * * *")
    async def run() -> None:
        await housekeeping(worker.pool)

    @worker.every("retention", "30 2 * * *")  # 02:30 UTC, when hardly anyone orders
    async def retention() -> None:
        await nightly_retention(worker.pool, worker.settings)
