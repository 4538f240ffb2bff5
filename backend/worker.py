"""Background worker process (``fsc worker``): runs the jobs queued in PostgreSQL (pgqueuer).

Jobs are written by requests in the same transaction as their data (backend/jobs.py); this
process picks them with SKIP LOCKED, is woken by LISTEN/NOTIFY, and runs each at least once.
A job whose worker dies is picked again after its heartbeat goes stale, so handlers must be
idempotent. A handler asks for a later retry by raising ``pgqueuer`` ``RetryRequested``; any
other failure is kept in the queue table as failed ("hold") for an operator, never dropped.

Each area registers its handlers in ``register(worker)``; see ``HANDLER_MODULES``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import signal
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from pgqueuer import PgQueuer
from pgqueuer.models import Job

from backend.db.pool import connect, create_pool
from backend.jobs import decode_payload
from backend.settings import Settings

log = logging.getLogger("fsc.worker")

# Modules with a ``register(worker: Worker) -> None`` function.
HANDLER_MODULES = ("backend.housekeeping", "backend.warehouse.jobs", "backend.push.jobs", "backend.callbacks.jobs")

JobHandler = Callable[[dict, Job], Awaitable[None]]
Task = Callable[[], Awaitable[None]]


def backoff(attempts: int, retry_after_s: float | None = None) -> dt.timedelta:
    """Exponential back-off for retries (1 s, 2 s, 4 s … capped at 5 minutes), or the partner's
    Retry-After when it asks for longer."""
    delay = min(300.0, 2.0 ** min(attempts, 10))
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, 3600.0))
    return dt.timedelta(seconds=delay)


class Worker:
    """What handlers share: settings, a small pool, one HTTP client, and the job registry."""

    def __init__(self, settings: Settings, pool: asyncpg.Pool, http: httpx.AsyncClient, pgq: PgQueuer) -> None:
        self.settings = settings
        self.pool = pool
        self.http = http
        self.pgq = pgq
        self._shutdown: list[Callable[[], Awaitable[object]]] = []

    def on_shutdown(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Run ``callback`` when the worker stops (e.g. close an area's own HTTP session)."""
        self._shutdown.append(callback)

    async def shutdown(self) -> None:
        for callback in reversed(self._shutdown):
            try:
                await callback()
            except Exception:  # one failing clean-up must not skip the others
                log.exception("shutdown callback failed")

    def job(self, entrypoint: str, *, concurrency_limit: int = 0) -> Callable[[JobHandler], JobHandler]:
        """Register ``handler(payload, job)`` for an entrypoint; failures are held, not deleted."""

        def register(handler: JobHandler) -> JobHandler:
            async def run(job: Job) -> None:
                await handler(decode_payload(job.payload), job)

            self.pgq.entrypoint(entrypoint, concurrency_limit=concurrency_limit, on_failure="hold")(run)
            return handler

        return register

    def every(self, name: str, cron: str) -> Callable[[Task], Task]:
        """Register a recurring task (cron expression, UTC)."""

        def register(task: Task) -> Task:
            async def run(_schedule: object) -> None:
                await task()

            self.pgq.schedule(name, cron)(run)
            return task

        return register


async def run_worker(settings: Settings, dsn: str) -> None:
    listener = await connect(dsn)  # pgqueuer's own connection (LISTEN, dequeue)
    pool = await create_pool(dsn, min_size=1, max_size=4)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False)
    pgq = PgQueuer.from_asyncpg_connection(listener)
    worker = Worker(settings, pool, http, pgq)
    for module in HANDLER_MODULES:
        importlib.import_module(module).register(worker)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, pgq.shutdown.set)
    log.info("worker started")
    try:
        await pgq.run(dequeue_timeout=dt.timedelta(seconds=5), batch_size=10,
                      heartbeat_timeout=dt.timedelta(seconds=settings.worker_heartbeat_s))
    finally:
        await worker.shutdown()
        await http.aclose()
        await pool.close()
        await listener.close()
        log.info("worker stopped")
