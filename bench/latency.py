"""Benchmark: tail latency at a fixed offered load (open loop), the way citizens feel it.

Closed-loop load (N connections as fast as possible) hides stalls: when the server stalls, the
clients stop sending. Here requests are sent on a fixed schedule whether or not earlier ones have
answered, and each latency is counted from the request's *scheduled* send time, so a stall shows
up in full in every request that should have been sent during it (no coordinated omission).

Starts an embedded PostgreSQL with the 50,000-citizen bench data (bench/reorder.py), serves the
app with granian (2 workers) and, right after the data is loaded:
  phase "mixed":   BENCH_SECONDS (60) s of 300 home pages/s and 100 one-tap reorders/s at once;
  phase "reorder": BENCH_SECONDS s of 200 one-tap reorders/s.
Every reorder is another citizen with a fresh idempotency key. The load generator runs in this
process (asyncio, raw HTTP/1.1 keep-alive connections) on the same cores as the server.
The last line printed is one JSON object: {phase: {route: {requests, p50_ms, p99_ms, p99_9_ms,
max_ms, errors}}}. Targets (issue 17): mixed p99 <= 50 ms and max <= 250 ms for both routes,
reorder p99 <= 100 ms, 0 errors.

Run: python bench/latency.py   (rates and duration: BENCH_HOME_RATE, BENCH_REORDER_RATE,
BENCH_REORDER_ALONE_RATE, BENCH_SECONDS; BENCH_DIAGNOSE=1 adds, on stderr, a per-second timeline
of each phase's slowest answers beside what PostgreSQL's backends waited for, sampled every 50 ms,
and the server log's checkpoint, autovacuum and lock-wait lines; see bench/latency_diagnose.py)
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reorder import CITIZENS, bench_database, csrf_tokens_file, served  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
HOME_RATE = int(os.environ.get("BENCH_HOME_RATE", "300"))
REORDER_RATE = int(os.environ.get("BENCH_REORDER_RATE", "100"))
REORDER_ALONE_RATE = int(os.environ.get("BENCH_REORDER_ALONE_RATE", "200"))
TIMEOUT_S = 10.0


class Connections:
    """Idle keep-alive connections to the server; a request that finds none opens a new one
    (so the generator never waits for an earlier answer before sending). A request takes the
    connection that has been idle longest, so the requests of distinct citizens spread over all
    open connections, as distinct phones' would. Taking the most recent one instead made a few
    connections carry everything: each granian worker serves only the connections it accepted,
    and one worker ran at 85-100 % of a core while the other idled (docs/decisions.md, issue 17)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: collections.deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = collections.deque()

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer = self.idle.popleft()
            # The server closes keep-alive connections that stayed idle (after a burst opened many):
            # a browser would not send on one it saw closed, neither do we.
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return await asyncio.open_connection(self.host, self.port)

    def give_back(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.idle.append(conn)

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, keep-alive) after reading one whole HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return status, headers.get(b"connection") != b"close"


def home_request(citizen: int) -> bytes:
    return (f"GET / HTTP/1.1\r\nHost: bench\r\nCookie: fsc_session=bench-session-{citizen:08d}\r\n"
            "Accept-Encoding: br\r\n\r\n").encode()


def reorder_request(citizen: int, token: str) -> bytes:
    body = f"_csrf_token={token}&idempotency_key={uuid.uuid4()}"
    return (f"POST /orders/reorder HTTP/1.1\r\nHost: bench\r\nCookie: fsc_session=bench-session-{citizen:08d}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}").encode()


TIMELINE: list[tuple[float, float]] = []  # (scheduled time, latency) of every request, for diagnosis


async def one(pool: Connections, payload: bytes, scheduled: float, ok: range, latencies: list[float],
              errors: list[str]) -> None:
    conn = None
    try:
        conn = await pool.take()
        conn[1].write(payload)
        status, keep = await asyncio.wait_for(read_response(conn[0]), TIMEOUT_S)
        latencies.append(time.perf_counter() - scheduled)
        TIMELINE.append((scheduled, latencies[-1]))
        if status not in ok:
            errors.append(str(status))
        if keep:
            pool.give_back(conn)
            conn = None
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        latencies.append(time.perf_counter() - scheduled)
        errors.append(type(exc).__name__)
    finally:
        if conn is not None:
            conn[1].close()


async def run_stream(pool: Connections, rate: int, seconds: int, make: callable, ok: range,
                     start: float) -> dict[str, float]:
    """Send ``rate`` requests per second for ``seconds`` from ``start``, each at its own scheduled time."""
    latencies: list[float] = []
    errors: list[str] = []
    tasks = []
    for i in range(rate * seconds):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(pool, make(i), scheduled, ok, latencies, errors)))
    await asyncio.gather(*tasks)
    return summarise(latencies, errors)


def summarise(latencies: list[float], errors: list[str]) -> dict[str, float]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1) if ordered else 0.0

    kinds: dict[str, int] = {}
    for error in errors:
        kinds[error] = kinds.get(error, 0) + 1
    return {"requests": len(ordered), "p50_ms": pct(50), "p99_ms": pct(99), "p99_9_ms": pct(99.9),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0.0, "errors": len(errors),
            **({"error_kinds": kinds} if kinds else {})}


async def drive(url: str, tokens: list[str]) -> dict[str, dict]:
    host, port = url.removeprefix("http://").split(":")
    home_pool, order_pool = Connections(host, int(port)), Connections(host, int(port))
    mixed_orders = REORDER_RATE * SECONDS
    alone_orders = REORDER_ALONE_RATE * SECONDS
    if mixed_orders + alone_orders > CITIZENS:
        sys.exit(f"{mixed_orders + alone_orders} reorders need as many distinct citizens (have {CITIZENS})")

    def order_maker(first: int):  # citizens first+1, first+2, …: each orders once in the whole run
        return lambda i: reorder_request(first + i + 1, tokens[first + i])

    def home(i: int) -> bytes:
        return home_request(i % CITIZENS + 1)

    start = time.perf_counter() + 0.2
    home_result, order_result = await asyncio.gather(
        run_stream(home_pool, HOME_RATE, SECONDS, home, range(200, 300), start),
        run_stream(order_pool, REORDER_RATE, SECONDS, order_maker(0), range(200, 400), start))
    alone = await run_stream(order_pool, REORDER_ALONE_RATE, SECONDS, order_maker(mixed_orders), range(200, 400),
                             time.perf_counter() + 0.2)
    home_pool.close()
    order_pool.close()
    return {"mixed": {"rates": {"home": HOME_RATE, "reorder": REORDER_RATE}, "home": home_result,
                      "reorder": order_result},
            "reorder": {"rates": {"reorder": REORDER_ALONE_RATE}, "reorder": alone}}


def main() -> None:
    diagnose = os.environ.get("BENCH_DIAGNOSE") == "1"
    with bench_database("fscl") as (dsn, workdir):
        tokens = csrf_tokens_file(workdir).read_text().split()
        if diagnose:
            from bench.latency_diagnose import log_server_events
            log_server_events(dsn)
        with served("backend.app:app_from_env", dsn) as url:
            if diagnose:
                from bench.latency_diagnose import diagnosed
                result = asyncio.run(diagnosed(dsn, drive(url, tokens), TIMELINE))
            else:
                result = asyncio.run(drive(url, tokens))
        if diagnose:
            from bench.latency_diagnose import print_server_log
            print_server_log(workdir)
    mixed, alone = result["mixed"], result["reorder"]
    met = (all(mixed[r]["p99_ms"] <= 50 and mixed[r]["max_ms"] <= 250 and mixed[r]["errors"] == 0
               for r in ("home", "reorder"))
           and alone["reorder"]["p99_ms"] <= 100 and alone["reorder"]["errors"] == 0)
    result["targets_met"] = met
    print(json.dumps(result))


if __name__ == "__main__":
    main()
