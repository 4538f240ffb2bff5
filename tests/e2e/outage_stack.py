"""The app's processes (web, worker, warehouse simulator) on a database server of their own, which
a test may stop and start again. Each process writes its output to a log file the test can read."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from backend.db.pool import connect
from tests.e2e.conftest import wait_until_ready
from tests.e2e.test_parcel_flow import Stack
from tests.restartable_postgres import RestartablePostgres, restartable_postgres

SCALE_SQL = Path(__file__).resolve().parents[2] / "bench" / "scale.sql"
COMMANDS = {"web": "serve", "worker": "worker", "sim": "warehouse-sim"}


class OutageStack(Stack):
    """``Stack`` on a restartable database server, each process logging to a file of its own."""

    def __init__(self, postgres: RestartablePostgres, db_url: str, logs: Path, **env: str) -> None:
        super().__init__(db_url, **env)
        self.postgres = postgres
        self.db_url = db_url
        self.logs = logs

    def start(self, name: str, **env: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen([sys.executable, "-m", "backend.cli", COMMANDS[name]], env=dict(self.env, **env),
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        if name == "web":
            wait_until_ready(self.web, process)
        elif name == "sim":
            wait_until_ready(self.sim, process, path="/healthz")
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def kill(self, name: str, sig: int) -> None:
        process = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=10)


async def add_citizens(db_url: str, count: int) -> list[int]:
    """``count`` citizens with quota left this period and a session each (bench/scale.sql: the
    session token of the i-th is 'bench-session-' and i in 8 digits); their ids in that order."""
    conn = await connect(db_url)
    try:
        await conn.execute(SCALE_SQL.read_text().replace(":n", str(count)))
        rows = await conn.fetch("SELECT id FROM citizen WHERE name LIKE 'Bench Borger %' ORDER BY id")
        return [row["id"] for row in rows]
    finally:
        await conn.close()


@asynccontextmanager
async def outage_stack(logs: Path, citizens: int, **env: str) -> AsyncIterator[tuple[OutageStack, list[int]]]:
    with restartable_postgres() as postgres:
        url = await postgres.prepare()
        ids = await add_citizens(url, citizens) if citizens else []
        stack = OutageStack(postgres, url, logs, **env)
        try:
            yield stack, ids
        finally:
            stack.stop_all()


async def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll a (sync or async) condition every 0.1 s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def handed_off(db_url: str, order_ids: list[int], at_least: int | None = None) -> bool:
    """Whether (at least ``at_least`` of) the orders were handed off to the warehouse."""
    wanted = len(order_ids) if at_least is None else at_least
    return await count_handed_off(db_url, order_ids) >= wanted


async def count_handed_off(db_url: str, order_ids: list[int]) -> int:
    """Orders handed off to the warehouse, on a fresh connection (the server may have restarted)."""
    try:
        conn = await asyncpg.connect(db_url)
    except (OSError, asyncpg.PostgresError):
        return 0
    try:
        return await conn.fetchval("SELECT count(*) FROM order_ WHERE id = ANY($1) AND handed_off_at IS NOT NULL",
                                   order_ids)
    finally:
        await conn.close()
