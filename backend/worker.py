"""Background worker process (``fsc worker``): runs the jobs queued in PostgreSQL (pgqueuer).

Jobs are written by requests in the same transaction as their data (backend/jobs.py); this
process picks them with SKIP LOCKED, is woken by LISTEN/NOTIFY, and runs each at least once.
A job whose worker dies is picked again after its heartbeat goes stale, so handlers must be
idempotent. A handler asks for a later retry by raising ``pgqueuer`` ``RetryRequested``; any
other failure is kept in the queue table as failed ("hold") for an operator, never dropped.

Each area registers its handlers in ``register(worker)``; see ``HANDLER_MODULES``.

A database restart does not end the process: when the queue's connection is lost the worker
finishes what it holds, reconnects with back-off (one log line per attempt) and carries on with a
new queue manager. A handler that fails because the database is away asks for a retry instead of
being held as failed. Jobs whose outcome could not be recorded are picked again after the
heartbeat timeout (at least once; handlers are idempotent).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress

import asyncpg
import httpx
from pgqueuer import PgQueuer
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job

from backend.db.pool import OneLineWhileDatabaseAway, connect, create_pool, database_unavailable, short_reason
from backend.jobs import decode_payload
from backend.settings import Settings

log = logging.getLogger("fsc.worker")
logging.getLogger("pgqueuer").addFilter(OneLineWhileDatabaseAway())

# Modules with a ``register(worker: Worker) -> None`` function.
HANDLER_MODULES = ("backend.housekeeping", "backend.warehouse.jobs", "backend.push.jobs", "backend.callbacks.jobs",
                   "backend.reports.jobs")

JobHandler = Callable[[dict, Job], Awaitable[None]]
Task = Callable[[], Awaitable[None]]

RECONNECT_MAX_S = 30
# Workers are woken by a NOTIFY sent after each commit that queued jobs (backend/jobs.py); they
# also look for jobs this often, so a wake-up lost (a web process killed between its commit and
# the wake-up, a CLI import) delays a job by at most this long.
POLL_S = 1
"""Longest wait between two attempts to reach the database again (1 s, 2 s, 4 s … up to this)."""


def backoff(attempts: int, retry_after_s: float | None = None) -> dt.timedelta:
    """Exponential back-off for retries (1 s, 2 s, 4 s … capped at 5 minutes), or the partner's
    Retry-After when it asks for longer."""
    delay = min(300.0, 2.0 ** min(attempts, 10))
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, 3600.0))
    return dt.timedelta(seconds=delay)


class Worker:
    """What handlers share: settings, a small pool, one HTTP client, and the job registry."""

    def __init__(self, settings: Settings, pool: asyncpg.Pool, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.pool = pool
        self.http = http
        self._shutdown: list[Callable[[], Awaitable[object]]] = []
        # Kept here, not on a PgQueuer: each database connection gets a queue manager of its own.
        self._jobs: list[tuple[str, int, Callable[[Job], Awaitable[None]]]] = []
        self._tasks: list[tuple[str, str, Callable[[object], Awaitable[None]]]] = []

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
                try:
                    await handler(decode_payload(job.payload), job)
                except Exception as exc:
                    if database_unavailable(exc):  # not the job's fault: try again, do not hold it
                        raise RetryRequested(delay=backoff(job.attempts), reason=short_reason(exc)) from exc
                    raise

            self._jobs.append((entrypoint, concurrency_limit, run))
            return handler

        return register

    def every(self, name: str, cron: str) -> Callable[[Task], Task]:
        """Register a recurring task (cron expression, UTC)."""

        def register(task: Task) -> Task:
            async def run(_schedule: object) -> None:
                await task()

            self._tasks.append((name, cron, run))
            return task

        return register

    def queue(self, listener: asyncpg.Connection) -> PgQueuer:
        """A queue manager on ``listener`` (LISTEN and dequeue) with every registered job and task."""
        pgq = PgQueuer.from_asyncpg_connection(listener)
        for entrypoint, concurrency_limit, run in self._jobs:
            pgq.entrypoint(entrypoint, concurrency_limit=concurrency_limit, on_failure="hold")(run)
        for name, cron, task in self._tasks:
            pgq.schedule(name, cron)(task)
        return pgq


async def run_worker(settings: Settings, dsn: str) -> None:
    # min_size 0: the pool connects on first use, so the worker may start before the database.
    pool = await create_pool(dsn, min_size=0, max_size=4)
    http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False)
    worker = Worker(settings, pool, http)
    for module in HANDLER_MODULES:
        importlib.import_module(module).register(worker)
    stopping = asyncio.Event()
    running: list[PgQueuer] = []
    loop = asyncio.get_running_loop()
    managers: list = []  # this process's queue manager ids (one per database connection so far)

    def give_up() -> None:
        log.warning("jobs still running after %d s: handing them back", settings.shutdown_timeout_s)
        asyncio.ensure_future(hand_back_and_exit(dsn, managers))

    def stop() -> None:
        """SIGTERM: take no new job, let the running ones finish (up to FSC_SHUTDOWN_TIMEOUT_S)."""
        if not stopping.is_set():
            loop.call_later(settings.shutdown_timeout_s, give_up)
        stopping.set()
        for pgq in running:
            pgq.shutdown.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    log.info("worker started")
    sampler = None
    if settings.metrics_port:  # the database-wide figures: queue, hand-off lag, callbacks waiting
        from backend.metrics import sample_forever

        sampler = asyncio.create_task(sample_forever(pool, database=True))
    try:
        await _run_until_stopped(worker, dsn, stopping, running, managers)
    finally:
        if sampler is not None:
            sampler.cancel()
        await worker.shutdown()
        await http.aclose()
        await pool.close()
        log.info("worker stopped")


async def hand_back_and_exit(dsn: str, managers: list) -> None:
    """Put the jobs this process still holds back in the queue, for another worker to take now
    (not after their heartbeat goes stale), and end the process at once: a cancelled job would be
    recorded as failed by pgqueuer. Handlers are idempotent: a job handed back may run again."""
    try:
        conn = await connect(dsn)
        try:
            handed = await conn.execute(
                "UPDATE pgqueuer SET status = 'queued', queue_manager_id = NULL, heartbeat = now() "
                "WHERE status = 'picked' AND queue_manager_id = ANY($1::uuid[])", [str(m) for m in managers])
        finally:
            await conn.close()
        log.warning("handed back to the queue: %s", handed.removeprefix("UPDATE "))
    except Exception as exc:  # the database away: the heartbeat timeout hands them back instead
        log.warning("could not hand jobs back (%s); they are picked again after the heartbeat timeout",
                    short_reason(exc))
    logging.shutdown()
    os._exit(0)


async def _run_until_stopped(worker: Worker, dsn: str, stopping: asyncio.Event, running: list[PgQueuer],
                             managers: list) -> None:
    """Run the queue; when the database goes away, reconnect with back-off and run it again."""
    settings = worker.settings
    batch_size = max(1, settings.worker_jobs_in_flight // 2)  # pgqueuer: in flight >= 2 x batch
    attempts = 0
    while not stopping.is_set():
        listener: asyncpg.Connection | None = None
        try:
            listener = await connect(dsn)  # pgqueuer's own connection (LISTEN, dequeue)
            pgq = worker.queue(listener)
            managers.append(pgq.qm.queue_manager_id)
            # A lost connection ends this run at once (pgqueuer would notice at its next dequeue).
            listener.add_termination_listener(lambda _conn, pgq=pgq: pgq.shutdown.set())
            running[:] = [pgq]
            if attempts:
                log.warning("database reachable again; worker resumed after %d attempt(s)", attempts)
                attempts = 0
            await pgq.run(dequeue_timeout=dt.timedelta(seconds=POLL_S), batch_size=batch_size,
                          max_concurrent_tasks=batch_size * 2,
                          heartbeat_timeout=dt.timedelta(seconds=settings.worker_heartbeat_s))
            reason = "connection closed"
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            reason = short_reason(exc)
        finally:
            running.clear()
            if listener is not None:
                listener.terminate()
        if stopping.is_set():
            return
        attempts += 1
        delay = min(RECONNECT_MAX_S, 2 ** (attempts - 1))
        log.warning("database unavailable (%s); reconnecting in %d s (attempt %d)", reason, delay, attempts)
        with suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
