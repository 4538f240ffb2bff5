"""Worker jobs for Web Push: ``push_notify`` sends one notice, or a batch of them (a reminder run's
fan-out: ``{"key", "notices": [...]}``, see ``enqueue_notices``); ``push_reminders`` runs hourly.

The process has ONE aiohttp session for all push services (``push_sender``, shared by every area
that sends, closed when the worker stops). A notice is recorded per device in push_delivery as it
is delivered, so when some devices answer 429/5xx the job is retried with back-off (honouring
Retry-After) and the retry sends only to the devices still missing it. Devices whose subscription
is gone (404/410) are deleted.
A device not sent to because its address is not a push service's (``Outcome.BLOCKED``) is
retried the same way: a DNS answer or the allow-list may be fixed meanwhile. The retries are
bounded: the ``FSC_PUSH_MAX_ATTEMPTS``-th try is the last, and the devices still failing then are
removed (one log line), except those another notice reached meanwhile.

Payloads: ``push_notify`` {"type", "key", and "order_id"+"parcel_no" or "citizen_id"+"grant_id"
(+"date")}, or {"key", "notices": [such payloads]}; the sending and recording is delivery.py's.
The callback notices ("callback_reminder", "callback_unreachable" entrypoints) live with callbacks
(backend/callbacks/jobs.py); they send through ``push_sender`` and ``send``, the same path as
``push_notify``.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref

import asyncpg
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job

from backend.metrics import count_push
from backend.push import PUSH_JOB
from backend.push.endpoints import EndpointPolicy
from backend.push.notices import NoticeType
from backend.push.rules import is_quiet, next_send_time
from backend.push.sender import PushSender
from backend.push.delivery import Addressed, LastTry, Notice, Summary, deliver
from backend.push.service import plan_reminders, send_notices
from backend.push import queries

log = logging.getLogger("fsc.worker.push")

REMINDER_TYPES = (NoticeType.TIME_TO_REORDER.value, NoticeType.GRANT_EXPIRING.value)
DELIVERY_LOG_DAYS = 30


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_senders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def push_sender(worker) -> PushSender | None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    """The worker process's one sender (one aiohttp session, closed when the worker stops), created
    by whichever area registers first; None when Web Push is not configured."""
    if worker not in _senders:
        settings = worker.settings
        sender = None
        if settings.push_enabled:
            sender = PushSender(settings.vapid_private_key, settings.vapid_subject,
                                policy=EndpointPolicy.from_settings(settings), concurrency=settings.push_concurrency,
                                max_attempts=settings.push_max_attempts)
            worker.on_shutdown(sender.close)
        else:
            log.warning("Web Push is off: FSC_VAPID_PRIVATE_KEY/FSC_VAPID_PUBLIC_KEY are not set (fsc vapid-keys)")
        _senders[worker] = sender
    return _senders[worker]


def last_try(sender: PushSender, job: Job) -> LastTry | None:
    """Set when this run is the job's last try (``job.attempts`` counts the retries so far)."""
    return LastTry(job.created) if job.attempts + 1 >= sender.max_attempts else None


def settle(summary: Summary, key: str, job: Job) -> None:
    """Log what one run of a notice did; when some devices must be tried again, ask pgqueuer for a
    retry with back-off (honouring Retry-After). The retry reaches only the devices still missing."""
    count_push(summary.sent, summary.removed, summary.failed, summary.retry)
    if summary.sent or summary.removed or summary.failed:
        log.info("%s: sent %d, removed %d, refused %d", key, summary.sent, summary.removed, summary.failed)
    if summary.given_up:
        log.warning("%s: gave up after %d tries on %d devices; removed %d, kept %d that got another notice since",
                    key, job.attempts + 1, summary.given_up, summary.given_up_removed,
                    summary.given_up - summary.given_up_removed)
    if summary.retry:
        from backend.worker import backoff

        delay = backoff(job.attempts, summary.retry_after_s or None)
        log.warning("%s: %d devices to try again in %s", key, summary.retry, delay)
        raise RetryRequested(delay=delay, reason=f"{summary.retry} push services asked to retry")


async def send(pool: asyncpg.Pool, sender: PushSender, notice: NoticeType, key: str, target: Notice,
               job: Job) -> None:
    """Send a notice another area resolved (see ``service.deliver``), exactly once per device per
    ``key``; raises ``RetryRequested`` when some push services asked to retry."""
    settle(await deliver(pool, sender, [Addressed(notice, key, target)], last_try(sender, job)), key, job)


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    sender = push_sender(worker)

    @worker.job(PUSH_JOB)
    async def push_notify(payload: dict, job: Job) -> None:
        if sender is None:
            return
        notices = payload.get("notices") or [payload]   # a fan-out job carries many (enqueue_notices)
        now = utc_now()
        if any(notice["type"] in REMINDER_TYPES for notice in notices) and is_quiet(now):
            raise RetryRequested(delay=next_send_time(now) - now, reason="quiet hours")
        settle(await send_notices(worker.pool, sender, notices, last_try(sender, job)), payload["key"], job)

    @worker.every("push_reminders", "5 * * * *")
    async def push_reminders() -> None:
        if sender is None:
            return
        async with worker.pool.acquire() as conn:
            queued = await plan_reminders(conn, utc_now())
            removed = await queries.delete_old_deliveries(conn, dt.timedelta(days=DELIVERY_LOG_DAYS))
        if queued or removed:
            log.info("reminders queued: %d; old delivery records removed: %d", queued, removed)
