"""Shared pieces for the push tests: test VAPID keys, settings, the local push service, devices."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from types import SimpleNamespace

import asyncpg

from backend.push import queries
from backend.push.vapid import generate_key_pair
from tests.conftest import make_settings
from tests.factories import make_citizen, make_grant, make_order, make_product
from tests.push_service import Device, LocalPushService

VAPID_PRIVATE, VAPID_PUBLIC = generate_key_pair()
VAPID_SUBJECT = "mailto:test@localhost"
VAPID_ENV = {"FSC_VAPID_PRIVATE_KEY": VAPID_PRIVATE, "FSC_VAPID_PUBLIC_KEY": VAPID_PUBLIC,
             "FSC_VAPID_SUBJECT": VAPID_SUBJECT}


def push_settings(service: LocalPushService | None = None, **overrides):
    """Settings with push on; with ``service``, the local push service is allowed (localhost)."""
    local = {} if service is None else {"push_hosts": service.push_env()["FSC_PUSH_HOSTS"],
                                        "push_allow_localhost": True}
    return make_settings(vapid_private_key=VAPID_PRIVATE, vapid_public_key=VAPID_PUBLIC,
                         vapid_subject=VAPID_SUBJECT, **local | overrides)


async def subscribe(db: asyncpg.Connection, service: LocalPushService, citizen_id: int, language: str,
                    statuses: list[int] | None = None) -> tuple[Device, int]:
    """A device of the local push service, stored as the citizen's subscription."""
    device = service.add_device(statuses)
    subscription_id = await queries.upsert_subscription(db, citizen_id, device.endpoint, device.p256dh,
                                                        device.auth, language, "Test phone")
    return device, subscription_id


async def citizen_with_order(db: asyncpg.Connection, cpr: str, status: str = "placed") -> tuple[int, int]:
    today = dt.date.today()
    citizen = await make_citizen(db, "Push Testesen", cpr)
    product = await make_product(db, f"Pushpose {cpr}", 30)
    grant = await make_grant(db, citizen, product, 90, today - dt.timedelta(days=5))
    order = await make_order(db, citizen, grant, product, 1, 30, today, status=status)
    return citizen, order


class CapturingWorker:
    """Enough of backend.worker.Worker to call an area's register() and then its handlers."""

    def __init__(self, settings, pool: asyncpg.Pool) -> None:
        self.settings = settings
        self.pool = pool
        self.handlers: dict = {}
        self.tasks: dict = {}
        self.closers: list = []

    def job(self, entrypoint: str, **_kw):
        def register(handler):
            self.handlers[entrypoint] = handler
            return handler
        return register

    def every(self, name: str, _cron: str):
        def register(task):
            self.tasks[name] = task
            return task
        return register

    def on_shutdown(self, callback) -> None:
        self.closers.append(callback)

    async def close(self) -> None:
        for closer in self.closers:
            await closer()


def job(attempts: int = 0, created: dt.datetime | None = None) -> SimpleNamespace:
    """What the handlers read of a pgqueuer Job: its retries so far and when it was queued."""
    return SimpleNamespace(attempts=attempts, created=created or dt.datetime.now(dt.UTC))


@contextmanager
def worker_process_for(db_url: str, service, **env: str) -> Iterator[subprocess.Popen]:
    """`fsc worker` as a real process on ``db_url``, sending to the local push ``service``."""
    from tests.e2e.conftest import app_env, stop

    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"],
                               env=app_env(db_url, **VAPID_ENV, **service.push_env(), **env))
    try:
        yield process
    finally:
        stop(process)


@asynccontextmanager
async def capturing_worker(db_url: str, service: LocalPushService, register):
    """A CapturingWorker on its own small pool with the jobs ``register`` adds (push, callbacks…)."""
    from backend.db.pool import create_pool

    pool = await create_pool(db_url, min_size=1, max_size=3)
    capturing = CapturingWorker(push_settings(service), pool)
    register(capturing)
    try:
        yield capturing
    finally:
        await capturing.close()
        await pool.close()
