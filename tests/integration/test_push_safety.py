"""The worker reaches only push services, and gives up on a failing device after a bounded number
of tries: rows stored by an older release that point at internal addresses (or at a name that
resolves to this machine) get no request at all, counted at a real listener; a push service that
keeps answering 503 is given up and the device removed; with the real ``fsc worker`` and pgqueuer's
own retries, both end within the bound.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from pgqueuer.errors import RetryRequested

from backend.db.pool import create_pool
from backend.push import PUSH_JOB, notify_parcel_change
from backend.push.jobs import register
from tests.push_fixtures import (
    VAPID_PUBLIC,
    CapturingWorker,
    citizen_with_order,
    job,
    push_settings,
    subscribe,
    worker_process_for,
)
from tests.push_service import LocalPushService

MAX_ATTEMPTS = 3


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections made to it (and answers nothing)."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def _accept(self, _reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def listener():
    internal = Listener()
    await internal.start()
    yield internal
    await internal.stop()


async def capturing_worker(db_url, settings):
    pool = await create_pool(db_url, min_size=1, max_size=3)
    worker = CapturingWorker(settings, pool)
    register(worker)
    return worker, pool


async def store_as_an_older_release_did(db, citizen: int, endpoint: str) -> int:
    """A subscription row with real device keys, written directly (no check on the way in)."""
    device = LocalPushService(VAPID_PUBLIC).add_device()
    return await db.fetchval(
        "INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4) RETURNING id",
        citizen, endpoint, device.p256dh, device.auth)


def internal_endpoints(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/push/a",              # plain http to this machine
        f"https://127.0.0.1:{port}/push/b",             # an IP address
        f"https://user:secret@localhost:{port}/push/c",  # user:password
        f"https://localhost:{port}/push/d",             # allow-listed name, but it resolves to 127.0.0.1
        "https://169.254.169.254/latest/meta-data/",    # the cloud metadata service
        "https://10.0.0.5:6379/",                       # a database port inside the network
    ]


async def test_internal_addresses_get_no_request_and_are_removed_after_the_bound(db, db_url, listener, caplog):
    citizen, order = await citizen_with_order(db, "0808908888", status="handed_to_carrier")
    internal = [await store_as_an_older_release_did(db, citizen, endpoint)
                for endpoint in internal_endpoints(listener.port)]
    # The listener's name is allow-listed, but without FSC_PUSH_ALLOW_LOCALHOST it may not be reached.
    settings = push_settings(push_hosts=f"localhost:{listener.port}", push_max_attempts=MAX_ATTEMPTS)
    worker, pool = await capturing_worker(db_url, settings)
    payload = {"type": "out_for_delivery", "order_id": order, "parcel_no": 1, "key": f"parcel:{order}:1:ofd:1"}
    try:
        for attempts in range(MAX_ATTEMPTS - 1):   # retried like a busy push service, never sent
            with pytest.raises(RetryRequested):
                await worker.handlers[PUSH_JOB](payload, job(attempts=attempts))
            assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE id = ANY($1)", internal) == 6
        with caplog.at_level(logging.WARNING, logger="fsc.worker.push"):
            await worker.handlers[PUSH_JOB](payload, job(attempts=MAX_ATTEMPTS - 1))   # the last try
    finally:
        await worker.close()
        await pool.close()
    assert listener.connections == 0
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE id = ANY($1)", internal) == 0
    [line] = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    assert line == f"parcel:{order}:1:ofd:1: gave up after 3 tries on 6 devices; removed 6, kept 0 that got " \
                   "another notice since"
    assert "secret" not in caplog.text
    # The allow-listed name was refused by the resolver, when connecting (the other five before).
    assert any(r.getMessage().endswith("not sent: localhost resolves to no public address") for r in caplog.records)


async def test_the_listener_counts_what_the_allowance_lets_through(db, db_url, listener):
    """The control for the test above: with FSC_PUSH_ALLOW_LOCALHOST the same listener is reached."""
    citizen, order = await citizen_with_order(db, "0909909999", status="handed_to_carrier")
    await store_as_an_older_release_did(db, citizen, f"http://localhost:{listener.port}/push/x")
    settings = push_settings(push_hosts=f"localhost:{listener.port}", push_allow_localhost=True)
    worker, pool = await capturing_worker(db_url, settings)
    try:
        with pytest.raises(RetryRequested):   # the listener hangs up: a network error, tried again
            await worker.handlers[PUSH_JOB]({"type": "delivered", "order_id": order, "parcel_no": 1,
                                             "key": f"parcel:{order}:1:delivered:0"}, job())
    finally:
        await worker.close()
        await pool.close()
    assert listener.connections >= 1


async def test_a_push_service_that_keeps_failing_is_given_up_and_the_device_removed(db, db_url, service):
    citizen, order = await citizen_with_order(db, "1010901010", status="handed_to_carrier")
    failing, failing_id = await subscribe(db, service, citizen, "da", statuses=[503] * 100)
    flaky, flaky_id = await subscribe(db, service, citizen, "en", statuses=[503] * 100)
    fine, _ = await subscribe(db, service, citizen, "da")
    worker, pool = await capturing_worker(db_url, push_settings(service, push_max_attempts=MAX_ATTEMPTS))
    payload = {"type": "delivered", "order_id": order, "parcel_no": 1, "key": f"parcel:{order}:1:delivered:0"}
    queued = job().created
    try:
        with pytest.raises(RetryRequested):
            await worker.handlers[PUSH_JOB](payload, job(attempts=0, created=queued))
        # Meanwhile another notice reached the flaky device: it works, only this notice is lost.
        await db.execute("UPDATE push_subscription SET last_success_at = now() WHERE id = $1", flaky_id)
        with pytest.raises(RetryRequested):
            await worker.handlers[PUSH_JOB](payload, job(attempts=1, created=queued))
        await worker.handlers[PUSH_JOB](payload, job(attempts=2, created=queued))   # the last try: no retry
    finally:
        await worker.close()
        await pool.close()
    remaining = {row["id"] for row in await db.fetch("SELECT id FROM push_subscription WHERE citizen_id = $1", citizen)}
    assert failing_id not in remaining and flaky_id in remaining and len(remaining) == 2
    assert len(service.messages_for(fine)) == 1
    assert service.messages_for(failing) == [] and service.answered[503] == 6


@pytest.fixture
def worker_process(db_url, service):
    with worker_process_for(db_url, service, FSC_PUSH_MAX_ATTEMPTS=str(MAX_ATTEMPTS)) as process:
        yield process


async def test_the_real_worker_gives_up_within_the_bound(db, service, listener, worker_process):
    """pgqueuer's own retries (back-off 1 s, 2 s): after the 3rd try the job is done and both the
    503 device and an internal address stored by an older release are gone; no request reached
    the internal address."""
    citizen, order = await citizen_with_order(db, "1111901111", status="out_for_delivery")
    failing, failing_id = await subscribe(db, service, citizen, "da", statuses=[503] * 100)
    internal = await store_as_an_older_release_did(db, citizen, f"http://127.0.0.1:{listener.port}/push/a")
    async with db.transaction():
        await notify_parcel_change(db, order, 1, "delivered")
    deadline = time.monotonic() + 30
    while await db.fetchval("SELECT count(*) FROM push_subscription WHERE id = ANY($1)", [failing_id, internal]):
        assert time.monotonic() < deadline, "the worker did not give up"
        await asyncio.sleep(0.2)
    while await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB):
        assert time.monotonic() < deadline, "the job did not end"
        await asyncio.sleep(0.2)
    assert service.answered == {503: MAX_ATTEMPTS} and listener.connections == 0
