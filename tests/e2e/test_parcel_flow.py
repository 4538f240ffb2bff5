"""End to end through real sockets: web (granian) + worker + warehouse simulator processes on the
embedded PostgreSQL. An order reaches "delivered" with every event applied once; the partner down
then up gets the pick list exactly once; a worker killed mid-job has its job redone, not lost."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import pytest

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.conftest import app_env, free_port, stop, wait_until_ready
from tests.e2e.test_citizen_home import PHONE
from tests.push_fixtures import VAPID_ENV, subscribe

HAPPY = ["received", "picking", "packed", "handed_to_carrier", "out_for_delivery", "delivered"]


class Stack:
    """The three processes, started and stopped one by one."""

    def __init__(self, db_url: str, **env: str) -> None:
        self.web_port, self.sim_port = free_port(), free_port()
        self.web = f"http://127.0.0.1:{self.web_port}"
        self.sim = f"http://127.0.0.1:{self.sim_port}"
        self.env = app_env(
            db_url, FSC_PORT=str(self.web_port),
            FSC_WAREHOUSE_URL=self.sim, FSC_WAREHOUSE_WEBHOOK_URL=f"{self.web}/api/v1/warehouse/events",
            FSC_WAREHOUSE_SIM_PORT=str(self.sim_port), FSC_WAREHOUSE_SIM_SPEED="0.05",
            FSC_WAREHOUSE_SIM_FAILURE_RATE="0", FSC_WAREHOUSE_SIM_BACKORDER_RATE="0", FSC_WAREHOUSE_SIM_SEED="7",
            FSC_WORKER_HEARTBEAT_S="2", **env,
        )
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, **env: str) -> None:
        command = {"web": "serve", "worker": "worker", "sim": "warehouse-sim"}[name]
        self.processes[name] = subprocess.Popen([sys.executable, "-m", "backend.cli", command],
                                                env=dict(self.env, **env))
        if name == "web":
            wait_until_ready(self.web, self.processes[name])
        elif name == "sim":
            wait_until_ready(self.sim, self.processes[name], path="/healthz")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name)
        if sig == signal.SIGTERM:
            stop(process)
        else:
            process.send_signal(sig)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def sim_counters(self) -> dict:
        with urllib.request.urlopen(self.sim + "/healthz", timeout=2) as response:
            return json.load(response)


@pytest.fixture
def stack(db_url):
    running = Stack(db_url)
    yield running
    running.stop_all()


async def place_order(db, citizen: int) -> int:
    """An order as the one tap writes it (through the real service)."""
    from backend.orders.models import Actor, PlaceOrder
    from backend.orders.service import place_order
    from backend.web.deps import local_today

    placed = await place_order(db, PlaceOrder(citizen_id=citizen, key=uuid.uuid4(), actor=Actor("citizen", citizen)),
                               local_today())
    return placed.order_id


async def wait_for_status(db, order_id: int, status: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await db.fetchval("SELECT status FROM order_ WHERE id = $1", order_id) == status:
            return
        await asyncio.sleep(0.2)
    current = await db.fetchval("SELECT status FROM order_ WHERE id = $1", order_id)
    raise AssertionError(f"order {order_id} is {current!r}, not {status!r}, after {timeout} s")


async def assert_events_once(db, order_id: int) -> None:
    rows = await db.fetch("SELECT type FROM warehouse_event WHERE order_id = $1 ORDER BY occurred_at", order_id)
    assert [r["type"] for r in rows] == HAPPY


async def test_order_reaches_delivered_and_the_browser_follows_it(stack, db, browser):
    stack.start("web")
    stack.start("sim")
    stack.start("worker")
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    page = await context.new_page()
    await page.goto(stack.web + "/login")
    await page.get_by_role("button", name=name).click()
    await page.get_by_role("button", name="Bestil igen").click()
    await page.wait_for_url(re.compile(r".*/orders/\d+$"))
    await page.get_by_role("heading", name="Følg din pakke").wait_for()
    order_id = int(page.url.rsplit("/", 1)[1])
    # The page updates itself (htmx polling) until the parcel is delivered.
    await page.get_by_test_id("status").filter(has_text="Leveret").wait_for(timeout=30_000)
    await page.get_by_text("Følg pakken hos").wait_for()
    await assert_events_once(db, order_id)
    assert await db.fetchval("SELECT handed_off_at IS NOT NULL FROM order_ WHERE id = $1", order_id)
    assert stack.sim_counters()["pick_lists_received"] == 1
    await context.close()


async def test_partner_down_then_up_gets_the_pick_list_exactly_once(stack, db):
    stack.start("web")
    stack.start("worker")
    order_id = await place_order(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    await asyncio.sleep(4)  # the worker tries and backs off while the partner is down
    job = await db.fetchrow("SELECT status, attempts FROM pgqueuer WHERE dedupe_key = $1", f"order_placed:{order_id}")
    assert job is not None and job["attempts"] >= 1
    assert await db.fetchval("SELECT handed_off_at FROM order_ WHERE id = $1", order_id) is None
    stack.start("sim")
    await wait_for_status(db, order_id, "delivered", timeout=40)
    assert stack.sim_counters()["pick_lists_received"] == 1
    await assert_events_once(db, order_id)


class HangingWarehouse:
    """Accepts connections and never answers: the worker is stuck mid-job until it is killed."""

    def __init__(self, port: int) -> None:
        self.server = socket.create_server(("127.0.0.1", port))
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self.server.close()


async def test_worker_killed_mid_job_redoes_the_job_without_doubling(stack, db):
    stack.start("web")
    hanging = HangingWarehouse(stack.sim_port)
    try:
        stack.start("worker")
        order_id = await place_order(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
        deadline = time.monotonic() + 15
        while not hanging.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert hanging.connections, "the worker never started sending the pick list"
        stack.stop("worker", signal.SIGKILL)  # mid-job: the request is in flight
        assert await db.fetchval("SELECT status FROM pgqueuer WHERE dedupe_key = $1",
                                 f"order_placed:{order_id}") == "picked"
    finally:
        hanging.close()
    stack.start("sim")
    stack.start("worker")
    await wait_for_status(db, order_id, "delivered", timeout=40)
    assert stack.sim_counters()["pick_lists_received"] == 1
    await assert_events_once(db, order_id)


async def test_cancelled_order_is_withdrawn_before_picking(stack, db):
    from backend.orders.cancel import CancelResult, request_cancel
    from backend.orders.models import Actor

    stack.start("web")
    stack.start("sim", FSC_WAREHOUSE_SIM_SPEED="1.5")
    stack.start("worker")
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    order_id = await place_order(db, citizen)
    deadline = time.monotonic() + 15
    while not await db.fetchval("SELECT handed_off_at FROM order_ WHERE id = $1", order_id):
        assert time.monotonic() < deadline, "the pick list was never handed off"
        await asyncio.sleep(0.1)
    assert await request_cancel(db, citizen, order_id, Actor("citizen", citizen)) is CancelResult.REQUESTED
    while await db.fetchval("SELECT cancel_state FROM order_ WHERE id = $1", order_id) == "requested":
        assert time.monotonic() < deadline + 15, "the warehouse never answered the withdrawal"
        await asyncio.sleep(0.1)
    order = await db.fetchrow("SELECT status, cancel_state, withdrawal_confirmed FROM order_ WHERE id = $1", order_id)
    assert (order["status"], order["cancel_state"], order["withdrawal_confirmed"]) == ("cancelled", "confirmed", True)
    await asyncio.sleep(3)  # two simulator steps: a withdrawn order gets no further events
    types = [r["type"] for r in await db.fetch("SELECT type FROM warehouse_event WHERE order_id = $1", order_id)]
    assert set(types) <= {"received"}
    assert await db.fetchval("SELECT count(*) FROM order_attention WHERE order_id = $1", order_id) == 0
    job = await db.fetchval("SELECT count(*) FROM pgqueuer WHERE dedupe_key = $1", f"order_cancelled:{order_id}")
    assert job == 0  # done (pgqueuer removes completed jobs)


async def test_delivered_via_the_simulator_notifies_each_device_once_in_its_language(stack, db, service):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    danish, _ = await subscribe(db, service, citizen, "da")
    english, _ = await subscribe(db, service, citizen, "en")
    stack.env.update(VAPID_ENV | service.push_env())
    stack.start("web")
    stack.start("sim")
    stack.start("worker")
    order_id = await place_order(db, citizen)
    await wait_for_status(db, order_id, "delivered", timeout=40)

    def delivered(device):
        return [m for m in service.messages_for(device) if m.payload["type"] == "delivered"]

    deadline = time.monotonic() + 20
    while not (delivered(danish) and delivered(english)) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # time for any (wrong) second notice to arrive
    assert [len(delivered(danish)), len(delivered(english))] == [1, 1]
    assert delivered(danish)[0].payload["title"] == "Din pakke er leveret"
    assert delivered(english)[0].payload["title"] == "Your parcel has been delivered"
    assert service.errors == []
