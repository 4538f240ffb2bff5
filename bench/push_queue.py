"""bench/push.py's runs through the real ``fsc worker`` process and the real job queue (pgqueuer)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_JOB_EACH = int(os.environ.get("BENCH_PUSH_ONE_JOB_EACH", "2000"))
"""Citizens sent to with one job each (the order notices' way), after the fan-out to all of them."""


class QueueRun:
    """Runs through the real ``fsc worker`` process and the real job queue (pgqueuer), one worker."""

    def __init__(self, conn, devices: list[dict], citizens: list[int], env: dict[str, str], origin: str) -> None:
        self.conn, self.devices, self.citizens, self.env, self.origin = conn, devices, citizens, env, origin
        self.worker: subprocess.Popen | None = None

    async def start(self) -> None:
        self.worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], env=self.env, cwd=ROOT)
        # Ready when it has run a first job (not after a fixed sleep): one notice to the first citizen.
        await self.enqueue_notices([({"type": "change_request_decided", "citizen_id": self.citizens[0],
                                      "change_request_id": 0}, "bench:warm-up")], per_job=1)
        await self.wait_for_empty_queue(60)

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            self.worker.wait(timeout=10)

    async def enqueue_notices(self, notices: list[tuple[dict, str]], per_job: int) -> None:
        from backend.push import enqueue_notices

        async with self.conn.transaction():
            await enqueue_notices(self.conn, notices, per_job)

    async def wait_for_empty_queue(self, timeout_s: float) -> None:
        from backend.push import PUSH_JOB

        started = time.perf_counter()
        while await self.conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB):
            if self.worker.poll() is not None:
                raise RuntimeError("the worker stopped")
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"the worker did not finish within {timeout_s} s")
            await asyncio.sleep(0.02)

    async def restore_gone(self, citizens: int) -> None:
        """Put back the subscriptions the previous run removed (410) among the first ``citizens``, so
        each run meets 2 % gone."""
        await self.conn.executemany(
            "INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (endpoint) DO NOTHING",
            [(c, r["endpoint"], r["p256dh"], r["auth"])
             for c, r in zip(self.citizens[:citizens], self.devices) if r["gone"]])

    async def measure(self, name: str, citizens: int, enqueue) -> dict:
        """Queue the jobs for the first ``citizens`` (``enqueue()``), wait until the worker has run them
        all: messages/s and what the push service verified meanwhile (decrypted and VAPID-checked)."""
        await self.restore_gone(citizens)
        before = push_stats(self.origin)
        started = time.perf_counter()
        await enqueue()
        await self.wait_for_empty_queue(900)
        elapsed = time.perf_counter() - started
        after = push_stats(self.origin)
        answered = {k: v - before["answered"].get(k, 0) for k, v in after["answered"].items()}
        gone_left = await self.conn.fetchval("SELECT count(*) FROM push_subscription WHERE last_success_at IS NULL")
        result = {"messages_per_s": round(sum(answered.values()) / elapsed, 1), "seconds": round(elapsed, 2),
                  "verified": after["verified"] - before["verified"], "errors": after["errors"] - before["errors"],
                  "answered": answered, "gone_left": gone_left}
        print(f"{name}: {result}", file=sys.stderr)
        return result


async def through_the_queue(dsn: str, env: dict[str, str], devices_file: Path, origin: str) -> tuple[dict, dict]:
    """The same devices twice through the real ``fsc worker``: (1) a fan-out as a reminder run queues
    it (``enqueue_notices``: jobs of ``REMINDERS_PER_JOB`` notices; a notice type without quiet hours,
    so that the figure does not depend on the time of day), (2) one "delivered" job per citizen, as
    orders queue them one by one (each job: resolve, select, send, record, and its queue round trips)."""
    import msgspec

    from backend.db.pool import connect
    from backend.jobs import queries
    from backend.push import PUSH_JOB
    from backend.push.service import REMINDERS_PER_JOB

    conn = await connect(dsn)
    devices = [json.loads(line) for line in devices_file.read_text().splitlines()]
    citizens = [r["id"] for r in await conn.fetch("SELECT id FROM citizen ORDER BY id")]
    run = QueueRun(conn, devices, citizens, env, origin)
    try:
        await run.start()
        fan_out = await run.measure("through the job queue, fan-out", len(citizens), lambda: run.enqueue_notices(
            [({"type": "change_request_decided", "citizen_id": c, "change_request_id": c}, f"bench:answer:{c}")
             for c in citizens], REMINDERS_PER_JOB))
        # A sample is enough for a per-job rate (on a loaded machine 10,000 such jobs take minutes).
        orders = await conn.fetch(
            """INSERT INTO order_ (citizen_id, status, recipient_name, street, postcode, city)
               SELECT id, 'delivered', name, street, postcode, city FROM citizen ORDER BY id LIMIT $1
               RETURNING id""", ONE_JOB_EACH)
        keys = [f"parcel:{o['id']}:1:delivered:0" for o in orders]

        async def one_job_each() -> None:
            await queries(conn).enqueue(
                [PUSH_JOB] * len(keys),
                [msgspec.json.encode({"type": "delivered", "order_id": o["id"], "parcel_no": 1, "key": k})
                 for o, k in zip(orders, keys)],
                [0] * len(keys), dedupe_key=keys)

        one_by_one = await run.measure("through the job queue, one job per citizen", len(orders), one_job_each)
    finally:
        await run.stop()
        await conn.close()
    return fan_out, one_by_one


def push_stats(origin: str) -> dict:
    with urllib.request.urlopen(origin + "/stats", timeout=10) as response:
        return json.load(response)
