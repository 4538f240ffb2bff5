"""The worker keeps the payer report's aggregates current: every hour it recomputes the rolling
window (backend/reports/aggregate.py). A run that fails is simply redone by the next one."""

from __future__ import annotations

import datetime as dt
import logging
import time

from backend.callbacks.rules import TZ
from backend.reports.aggregate import refresh_recent

log = logging.getLogger("fsc.worker")


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    @worker.every("report_aggregates", "7 * * * *")
    async def run() -> None:
        started = time.perf_counter()
        async with worker.pool.acquire() as conn:
            first = await refresh_recent(conn, dt.datetime.now(TZ).date())
        log.info("report aggregates recomputed from %s in %.1f s", first, time.perf_counter() - started)
