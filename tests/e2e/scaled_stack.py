"""Production's shape in one test module: Debian's PostgreSQL server, the release step (`fsc migrate`,
then `fsc seed` for the demo data), two `fsc serve` and two `fsc worker` processes and the warehouse
simulator, each process logging to a file of its own. Started once per test module (it takes a few
seconds); tests may kill and restart single processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from tests.debian_postgres import debian_postgres
from tests.e2e.conftest import app_env, free_port, wait_until_ready
from tests.e2e.outage_stack import add_citizens

COMMANDS = {"web": "serve", "worker": "worker", "sim": "warehouse-sim"}
CHECKS_PER_MINUTE = 4  # the per-citizen limit of the order form's live check on this stack


def run_release(env: dict[str, str], *commands: str) -> None:
    """The Procfile's release step (and the demo data), as separate processes."""
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "backend.cli", command], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


class ScaledStack:
    """web1, web2, worker1, worker2 and sim on one database. The warehouse's events go to web2."""

    def __init__(self, db_url: str, logs: Path, **env: str) -> None:
        self.db_url = db_url
        self.logs = logs
        self.ports = {"web1": free_port(), "web2": free_port(), "sim": free_port()}
        # Each process its own metrics listener (several processes on one host: one port each).
        self.metrics_ports = {name: free_port() for name in ("web1", "web2", "worker1", "worker2")}
        self.env = app_env(
            db_url,
            FSC_WAREHOUSE_URL=self.url("sim"), FSC_WAREHOUSE_WEBHOOK_URL=f"{self.url('web2')}/api/v1/warehouse/events",
            FSC_WAREHOUSE_SIM_PORT=str(self.ports["sim"]), FSC_WAREHOUSE_SIM_SPEED="0.05",
            FSC_WAREHOUSE_SIM_FAILURE_RATE="0", FSC_WAREHOUSE_SIM_BACKORDER_RATE="0", FSC_WAREHOUSE_SIM_SEED="7",
            FSC_WORKER_HEARTBEAT_S="2", PYTHONUNBUFFERED="1", **env)
        self.env["FSC_LOG_LEVEL"] = "INFO"  # every request's line: the log tests read them
        self.processes: dict[str, subprocess.Popen] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, **env: str) -> subprocess.Popen:
        kind = name.rstrip("0123456789")
        extra = {"FSC_PORT": str(self.ports[name])} if kind == "web" else {}
        if name in self.metrics_ports:
            extra["FSC_METRICS_PORT"] = str(self.metrics_ports[name])
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "backend.cli", COMMANDS[kind]],
                                       env=dict(self.env, **extra, **env), stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.processes[name] = process
        if kind == "web":
            wait_until_ready(self.url(name), process)
        elif kind == "sim":
            wait_until_ready(self.url(name), process, path="/healthz")
        return process

    def start_all(self) -> None:
        for name in ("sim", "web1", "web2", "worker1", "worker2"):
            self.start(name)

    def signal(self, name: str, sig: int, timeout: float = 30) -> int:
        """Send ``sig`` and wait for the process to end; its exit code. SIGKILL goes to the whole
        process group (`fsc serve`'s granian runs its workers as child processes), as a container
        runtime or systemd kills a crashed unit; SIGTERM to the main process, as they stop one."""
        process = self.processes.pop(name)
        if sig == signal.SIGKILL:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        code = process.wait(timeout=timeout)
        with suppress(ProcessLookupError):  # nothing of it may outlive it
            os.killpg(process.pid, signal.SIGKILL)
        return code

    def stop_all(self) -> None:
        for name in list(self.processes):
            try:
                self.signal(name, signal.SIGTERM, timeout=15)
            except subprocess.TimeoutExpired:
                pass
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def all_logs(self) -> str:
        return "".join(path.read_text(encoding="utf-8", errors="replace") for path in sorted(self.logs.glob("*.log")))


class Citizens:
    """Hands out bench citizens (1-based), each with this period's quota free for one tap."""

    def __init__(self) -> None:
        self.next = 1

    def take(self, count: int) -> list[int]:
        taken = list(range(self.next, self.next + count))
        self.next += count
        return taken


@asynccontextmanager
async def running_scaled_stack(logs: Path, bench_citizens: int = 1000) -> AsyncIterator[ScaledStack]:
    with debian_postgres() as postgres:
        url = await postgres.create_database("fsc")
        stack = ScaledStack(url, logs, FSC_RATE_LIMIT_ORDER_CHECK=f"100000/1m,{CHECKS_PER_MINUTE}/1m")
        run_release(stack.env, "migrate", "seed")
        await add_citizens(url, bench_citizens)
        stack.start_all()
        try:
            yield stack
        finally:
            stack.stop_all()
