"""Prometheus metrics (prometheus_client), on a listener of their own that only the operator's
network reaches (FSC_METRICS_HOST:FSC_METRICS_PORT, path /metrics), never on the public port.

One listener per process we start: ``fsc serve`` serves the sum of its granian worker processes
(prometheus_client's multiprocess mode, files in a private temporary directory made at start),
``fsc worker`` its own. Several processes on one host each get their own FSC_METRICS_PORT; the
scraper adds them up. The database-wide figures (queue, hand-off lag, callbacks waiting) come from
the workers (every worker reports the same value: take ``max`` across them, not ``sum``).

Per request: one histogram observation (its ``_count`` is the request count), looked up once per
(method, route, status) and cached.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

log = logging.getLogger("fsc.metrics")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram("fsc_http_request_duration_seconds", "Requests by route template and status, and their latency",
                            ["method", "route", "status"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
POOL_CONNECTIONS = Gauge("fsc_db_pool_connections", "Database pool connections by state (in_use, idle, max)",
                         ["state"], multiprocess_mode="livesum")
POOL_WAIT_SECONDS = Histogram("fsc_db_pool_acquire_wait_seconds", "Time a request waited for a pooled connection",
                              buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0))
WEBHOOK_EVENTS = Counter("fsc_warehouse_events_total", "Warehouse webhook events by outcome and reason",
                         ["outcome", "reason"])
PUSH_NOTICES = Counter("fsc_push_total", "Push deliveries by outcome (sent, gone, refused, retried)", ["outcome"])
JOBS = Gauge("fsc_jobs", "Jobs in the queue by kind (entrypoint) and status", ["entrypoint", "status"],
             multiprocess_mode="max")
OLDEST_JOB_SECONDS = Gauge("fsc_jobs_oldest_waiting_seconds", "Age of the oldest waiting job by kind",
                           ["entrypoint"], multiprocess_mode="max")
HANDOFF_LAG_SECONDS = Gauge("fsc_warehouse_handoff_lag_seconds",
                            "Age of the oldest order not yet handed off to the warehouse (0: none waiting)",
                            multiprocess_mode="max")
CALLBACKS_WAITING = Gauge("fsc_callbacks_waiting", "Callbacks booked and not yet taken by an advisor",
                          multiprocess_mode="max")

_request_children: dict[tuple[str, str, int], Any] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    child = _request_children.get((method, route, status))
    if child is None:
        child = _request_children[(method, route, status)] = REQUEST_SECONDS.labels(method, route, str(status))
    child.observe(seconds)


def count_webhook(outcome: str, reason: str) -> None:
    WEBHOOK_EVENTS.labels(outcome, reason).inc()


def count_push(sent: int, gone: int, refused: int, retried: int) -> None:
    for outcome, number in (("sent", sent), ("gone", gone), ("refused", refused), ("retried", retried)):
        if number:
            PUSH_NOTICES.labels(outcome).inc(number)


def serve_metrics(host: str, port: int, *, multiprocess: bool = False) -> None:
    """Start the metrics listener (a thread of this process)."""
    registry = None
    if multiprocess:
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
    start_http_server(port, addr=host, **({"registry": registry} if registry else {}))
    log.info("metrics on http://%s:%d/metrics", host, port)


def sample_pool(pool: asyncpg.Pool) -> None:
    size, idle = pool.get_size(), pool.get_idle_size()
    POOL_CONNECTIONS.labels("in_use").set(size - idle)
    POOL_CONNECTIONS.labels("idle").set(idle)
    POOL_CONNECTIONS.labels("max").set(pool.get_max_size())


QUEUE_SQL = """
SELECT entrypoint, status::text AS status, count(*) AS jobs,
       extract(epoch FROM now() - min(created) FILTER (WHERE status = 'queued')) AS oldest_s
  FROM pgqueuer GROUP BY entrypoint, status"""
# The oldest order whose pick list is still to be sent: its job is in the queue (queued or picked).
HANDOFF_SQL = "SELECT coalesce(extract(epoch FROM now() - min(created)), 0) FROM pgqueuer WHERE entrypoint = 'order_placed'"
CALLBACKS_SQL = "SELECT count(*) FROM callback WHERE status = 'waiting'"


async def sample_database(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        rows = await conn.fetch(QUEUE_SQL)
        handoff = await conn.fetchval(HANDOFF_SQL)
        waiting = await conn.fetchval(CALLBACKS_SQL)
    JOBS.clear()
    OLDEST_JOB_SECONDS.clear()
    for row in rows:
        JOBS.labels(row["entrypoint"], row["status"]).set(row["jobs"])
        if row["oldest_s"] is not None:
            OLDEST_JOB_SECONDS.labels(row["entrypoint"]).set(float(row["oldest_s"]))
    HANDOFF_LAG_SECONDS.set(float(handoff))
    CALLBACKS_WAITING.set(waiting)


async def sample_forever(pool: asyncpg.Pool, *, database: bool, every_s: float = 10.0) -> None:
    """The pool's figures (and with ``database``, the queue's) every ``every_s`` seconds."""
    while True:
        try:
            sample_pool(pool)
            if database:
                await sample_database(pool)
        except Exception as exc:  # the database away: the figures wait, the process carries on
            log.warning("metrics not sampled: %s", type(exc).__name__)
        await asyncio.sleep(every_s)
