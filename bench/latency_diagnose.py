"""Diagnosis for bench/latency.py (BENCH_DIAGNOSE=1): where the slow seconds come from.

Prints to stderr, per second of the run: the slowest answer and the median of the requests
scheduled in that second, beside the wait events of PostgreSQL's busy backends sampled every
50 ms (``Lock:object`` on ``COMMIT`` is the NOTIFY lock, ``IO:WalSync`` a commit's disk flush, no
event at all is a backend on the CPU); then the server log's checkpoint, autovacuum and lock-wait
lines. This is how the causes in docs/decisions.md (2026-11-29, issue 17) were found.
"""

from __future__ import annotations

import asyncio
import collections
import sys
import time
from pathlib import Path

import asyncpg

SAMPLE_S = 0.05
QUIET = {"Activity:CheckpointerMain", "Activity:BgwriterHibernate", "Activity:BgwriterMain", "Activity:WalWriterMain",
         "Activity:AutovacuumMain", "Activity:LogicalLauncherMain", "Activity:IoWorkerMain", "Client:ClientRead"}


def log_server_events(dsn: str) -> None:
    """Have the server log checkpoints, autovacuum runs and lock waits over 20 ms."""
    async def configure() -> None:
        conn = await asyncpg.connect(dsn)
        for setting, value in (("log_checkpoints", "on"), ("log_autovacuum_min_duration", "0"),
                               ("log_lock_waits", "on"), ("deadlock_timeout", "'20ms'")):
            await conn.execute(f"ALTER SYSTEM SET {setting} = {value}")
        await conn.execute("SELECT pg_reload_conf()")
        await conn.close()

    asyncio.run(configure())


async def _sample(dsn: str, start: float, stop: asyncio.Event, waits: dict[int, collections.Counter]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            rows = await conn.fetch(
                "SELECT coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, '-') AS wait,"
                "       left(query, 30) AS query FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND state = 'active'")
            second = int(time.perf_counter() - start)
            for row in rows:
                if row["wait"] not in QUIET:
                    label = row["wait"] + (f" ({row['query']})" if row["wait"].startswith("Lock") else "")
                    waits[second][label] += 1
            await asyncio.sleep(SAMPLE_S)
    finally:
        await conn.close()


async def diagnosed(dsn: str, run, timeline: list[tuple[float, float]]):
    """Run the coroutine ``run`` while sampling; print the timeline afterwards; return its result."""
    start = time.perf_counter()
    waits: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(dsn, start, stop, waits))
    try:
        return await run
    finally:
        stop.set()
        await sampler
        per_second: dict[int, list[float]] = collections.defaultdict(list)
        for scheduled, latency in timeline:
            per_second[int(scheduled - start)].append(latency * 1000)
        for second in sorted(set(per_second) | set(waits)):
            answers = sorted(per_second.get(second, [0.0]))
            busy = ", ".join(f"{label} x{count}" for label, count in waits[second].most_common(4))
            print(f"{second:4d}s  max {answers[-1]:8.1f} ms  p50 {answers[len(answers) // 2]:7.1f} ms  | {busy}",
                  file=sys.stderr)


def print_server_log(workdir: Path) -> None:
    for log in Path(workdir).glob("pg/log*"):
        for line in log.read_text(errors="replace").splitlines():
            if any(word in line for word in ("checkpoint", "automatic", "still waiting", "acquired")):
                print("server:", line[:200], file=sys.stderr)
