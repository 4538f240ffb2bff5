"""Background worker process (``fsc worker``).

For now it does housekeeping (removing expired sessions). Job handling (warehouse hand-off,
push notifications) joins it with the warehouse issue. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from backend.auth.queries import delete_expired_sessions
from backend.db.pool import create_pool
from backend.settings import Settings
from backend.staff.queries import delete_expired_staff_sessions

log = logging.getLogger("fsc.worker")

HOUSEKEEPING_INTERVAL_S = 600.0


async def housekeeping(pool) -> None:
    async with pool.acquire() as conn:
        removed = await delete_expired_sessions(conn) + await delete_expired_staff_sessions(conn)
    if removed:
        log.info("removed %d expired sessions", removed)


async def run_worker(settings: Settings, dsn: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    pool = await create_pool(dsn, min_size=1, max_size=2)
    log.info("worker started")
    try:
        while not stop.is_set():
            try:
                await housekeeping(pool)
            except Exception:  # keep the worker alive; the next round tries again
                log.exception("housekeeping failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=HOUSEKEEPING_INTERVAL_S)
            except TimeoutError:
                pass
    finally:
        await pool.close()
        log.info("worker stopped")
