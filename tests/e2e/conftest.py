"""End-to-end fixtures: the app served by the production server (granian) on a real socket,
and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
from contextlib import contextmanager
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import TEST_CPR_KEY, TEST_LIMITS, TEST_SECRET, TEST_WAREHOUSE_SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A bound, not a wait: a server is ready in ~2 s on an idle machine, but the suite runs niced
# beside other work on 2 cores and a start then took > 30 s (a test failed on it, 2026-11-29).
READY_TIMEOUT_S = 120.0


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT_S,
                     path: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + path, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not become ready")


def app_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment for our processes (web, worker, simulator) on the test's database."""
    limits = {f"FSC_{name.upper()}": value for name, value in TEST_LIMITS.items()}  # as make_settings
    return dict(os.environ, FSC_DATABASE_URL=db_url, FSC_SECRET_KEY=TEST_SECRET, FSC_CPR_KEY=TEST_CPR_KEY,
                FSC_WAREHOUSE_SECRET=TEST_WAREHOUSE_SECRET, FSC_DEMO_LOGIN="1", FSC_LOG_LEVEL="WARNING",
                **{"FSC_SERVICE_PHONE": "70 00 00 00", "FSC_SERVICE_EMAIL": "fsc@example.org", **limits, **extra})


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def serve_app(db_url: str, **extra_env: str) -> Iterator[str]:
    """`fsc serve` (granian, real socket) on the given database; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve"],
                               env=app_env(db_url, FSC_PORT=str(port), **extra_env))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        yield url
    finally:
        stop(process)


@pytest.fixture
def live_server(db_url: str) -> Iterator[str]:
    """`fsc serve` (granian, real socket) on a private copy of the demo database."""
    with serve_app(db_url) as url:
        yield url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
async def scaled(tmp_path_factory):
    """Two web and two worker processes on Debian's PostgreSQL server (tests/e2e/scaled_stack.py),
    started once for the tests of scale-out, logs, metrics and rolling restarts."""
    from tests.e2e.scaled_stack import running_scaled_stack

    async with running_scaled_stack(tmp_path_factory.mktemp("scaled-logs")) as stack:
        yield stack


@pytest.fixture(scope="session")
def citizens():
    """Bench citizens of the ``scaled`` stack, each handed out once."""
    from tests.e2e.scaled_stack import Citizens

    return Citizens()

