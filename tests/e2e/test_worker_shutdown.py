"""SIGTERM to a worker (a deploy): it takes no new job, lets its running jobs finish for up to
FSC_SHUTDOWN_TIMEOUT_S, then hands the rest back to the queue, so that the next worker takes them
at once instead of after the heartbeat timeout."""

from __future__ import annotations

import signal

from backend.db.pool import connect
from tests.e2e.outage_stack import handed_off, outage_stack, wait_until
from tests.e2e.test_parcel_flow import HangingWarehouse
from tests.e2e.test_worker_resilience import place_orders


async def test_a_stopped_worker_hands_back_the_job_it_could_not_finish(tmp_path):
    async with outage_stack(tmp_path, citizens=1) as (stack, citizens):
        # A heartbeat timeout far beyond the test: only the hand-back can free the job in time.
        env = {"FSC_SHUTDOWN_TIMEOUT_S": "2", "FSC_WORKER_HEARTBEAT_S": "120"}
        hanging = HangingWarehouse(stack.sim_port)  # the hand-off hangs: the job cannot finish
        conn = await connect(stack.db_url)
        try:
            worker = stack.start("worker", **env)
            orders = await place_orders(stack.db_url, citizens)
            await wait_until(lambda: hanging.connections, 15, "the worker sending the pick list")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=15) == 0
            stack.processes.pop("worker")
            job = await conn.fetchrow("SELECT status, queue_manager_id FROM pgqueuer WHERE entrypoint = 'order_placed'")
            assert job["status"] == "queued" and job["queue_manager_id"] is None, dict(job)
            assert "handing them back" in stack.log("worker")
        finally:
            hanging.close()
            await conn.close()
        stack.start("sim")
        stack.start("worker", **env)
        await wait_until(lambda: handed_off(stack.db_url, orders), 20, "the handed-back job done by the next worker")
