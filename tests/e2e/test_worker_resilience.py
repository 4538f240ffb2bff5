"""The worker (`fsc worker`, a real process) rides out a database restart, and takes only a small
batch of jobs at a time, so that a worker that dies holds back little of the backlog."""

from __future__ import annotations

import re
import signal

import pytest

from backend.db.pool import connect
from tests.e2e.outage_stack import handed_off, outage_stack, wait_until
from tests.e2e.test_parcel_flow import HangingWarehouse, place_order
from tests.restartable_postgres import started_again, stopped_for_a_while

MAX_JOBS_IN_FLIGHT = 8  # backend.worker.MAX_JOBS_IN_FLIGHT
RECONNECT_LINE = re.compile(r"database unavailable .*; reconnecting in \d+ s \(attempt (\d+)\)")


async def place_orders(db_url: str, citizens: list[int]) -> list[int]:
    conn = await connect(db_url)
    try:
        return [await place_order(conn, citizen) for citizen in citizens]
    finally:
        await conn.close()


@pytest.fixture
async def stack_and_citizens(tmp_path):
    async with outage_stack(tmp_path, citizens=40) as running:
        yield running


async def test_the_worker_rides_out_a_database_restart_and_takes_up_new_jobs(stack_and_citizens):
    stack, citizens = stack_and_citizens
    stack.start("sim")
    worker = stack.start("worker")
    before = await place_orders(stack.db_url, citizens[:1])
    await wait_until(lambda: handed_off(stack.db_url, before), 15, "the first order handed off")

    await stopped_for_a_while(stack.postgres)
    # While the database is away the worker keeps trying, one short line per attempt.
    await wait_until(lambda: len(RECONNECT_LINE.findall(stack.log("worker"))) >= 2, 15, "two reconnect attempts")
    await started_again(stack.postgres)

    after = await place_orders(stack.db_url, citizens[1:3])
    await wait_until(lambda: handed_off(stack.db_url, after), 30, "orders placed after the restart handed off")
    assert stack.alive("worker") and stack.processes["worker"] is worker
    log = stack.log("worker")
    attempts = [int(n) for n in RECONNECT_LINE.findall(log)]
    assert attempts == list(range(1, len(attempts) + 1))
    assert "Traceback" not in log, log
    assert "database reachable again; worker resumed" in log
    assert stack.sim_counters()["orders"] == 3


async def test_a_worker_takes_a_small_batch_so_its_crash_holds_back_little(stack_and_citizens):
    stack, citizens = stack_and_citizens
    orders = await place_orders(stack.db_url, citizens[:40])
    conn = await connect(stack.db_url)
    try:
        hanging = HangingWarehouse(stack.sim_port)  # every hand-off hangs: the jobs stay picked
        try:
            stack.start("worker", FSC_WORKER_HEARTBEAT_S="30")
            await wait_until(lambda: len(hanging.connections) >= MAX_JOBS_IN_FLIGHT // 2, 15, "the worker at work")
            picked = await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'order_placed' "
                                         "AND status = 'picked'")
            assert 0 < picked <= MAX_JOBS_IN_FLIGHT
            stack.kill("worker", signal.SIGKILL)
        finally:
            hanging.close()
        # A new worker runs the rest right away; only what the dead one held waits for its heartbeat (30 s).
        stack.start("sim")
        stack.start("worker", FSC_WORKER_HEARTBEAT_S="30")
        await wait_until(lambda: handed_off(stack.db_url, orders, at_least=len(orders) - picked), 20,
                         "every order the dead worker did not hold handed off")
    finally:
        await conn.close()
