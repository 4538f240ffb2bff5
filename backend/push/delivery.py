"""Sending a batch of notices (one job: one notice, or a reminder run's hundreds) exactly once per device.

The devices of every notice in the batch are selected in ONE statement (those that want it and
have not had it: push_delivery), every payload is built once per (notice, language, text), and all
sends go through the worker's one ``PushSender`` at its concurrency. What the push services answer
is recorded as it arrives, ``RECORD_EVERY`` answers at a time in one statement (push_delivery rows,
last_success_at, 404/410 devices deleted), so a worker killed mid-batch (SIGKILL) sends again only
the answers it had not recorded yet: per job at most 2 x ``RECORD_EVERY`` plus the sends in flight.
The phone shows such a repeat once: it carries the same Topic (the push service keeps only the
newest undelivered message per topic) and the same notification tag (pwa/static/sw/push.js
replaces the shown one silently).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import msgspec

from backend.push import queries
from backend.push.notices import HELPER_NOTICES, NoticeType, build, delivery, preference
from backend.push.sender import Outcome, PushSender, Result

RECORD_EVERY = 100
"""Answers recorded in one statement; a killed worker repeats at most twice these (plus those in flight) per job."""
HELPER_URL = "/fuldmagt/vaelg"


class Summary(msgspec.Struct):
    """What one run of a batch did; ``retry_after_s`` is set when some devices must be tried again.
    On the last try, the devices still failing are given up (``given_up``) and removed
    (``given_up_removed``) unless a notice reached them since this one was queued."""

    sent: int = 0
    removed: int = 0
    failed: int = 0
    retry: int = 0
    retry_after_s: float | None = None
    given_up: int = 0
    given_up_removed: int = 0

    def add(self, other: Summary) -> None:
        for field in ("sent", "removed", "failed", "retry", "given_up", "given_up_removed"):
            setattr(self, field, getattr(self, field) + getattr(other, field))
        if other.retry_after_s is not None:
            self.retry_after_s = max(self.retry_after_s or 0.0, other.retry_after_s)


class Notice(msgspec.Struct, frozen=True):
    """Who gets a notice, where tapping it leads, its tag (Topic), and the values in its text."""

    citizen_id: int
    url: str
    tag: str
    values: dict[str, object] = {}


class Addressed(msgspec.Struct, frozen=True):
    """A notice ready to send: its type, its key (once per device per key) and whom it is for."""

    notice: NoticeType
    key: str
    target: Notice


class LastTry(msgspec.Struct, frozen=True):
    """This run is the notice's last try (FSC_PUSH_MAX_ATTEMPTS); it was queued at ``queued_at``."""

    queued_at: dt.datetime


async def record(pool: asyncpg.Pool, answers: list[tuple[str, Result]], last_try: LastTry | None = None) -> Summary:
    """Remember which device got which notice (so a retry skips it) and forget devices that are gone,
    in one statement. On the last try, the devices still failing (busy or blocked) are given up and
    removed, except those a notice reached since this one was queued (they work; this notice is lost)."""
    summary = Summary()
    gone = {r.target.id for _key, r in answers if r.outcome is Outcome.GONE}
    sent = [(key, r.target.id) for key, r in answers if r.outcome is Outcome.SENT and r.target.id not in gone]
    retry = [r for _key, r in answers if r.outcome in (Outcome.RETRY, Outcome.BLOCKED) and r.target.id not in gone]
    async with pool.acquire() as conn:
        if sent or gone:
            summary.removed = await queries.record_outcomes(conn, sent, sorted(gone))
        if last_try is not None and retry:
            summary.given_up = len(retry)
            summary.given_up_removed = await queries.delete_failing_subscriptions(
                conn, sorted({r.target.id for r in retry}), last_try.queued_at)
            retry = []
    summary.sent = len(sent)
    summary.retry = len(retry)
    summary.failed = sum(1 for _key, r in answers if r.outcome is Outcome.FAILED)
    waits = [r.retry_after_s for r in retry if r.retry_after_s is not None]
    summary.retry_after_s = max(waits) if waits else (0.0 if retry else None)
    return summary


class Recorder:
    """Collects answers as they arrive and records them ``every`` at a time, one write at a time."""

    def __init__(self, pool: asyncpg.Pool, last_try: LastTry | None, every: int = RECORD_EVERY) -> None:
        self.pool = pool
        self.last_try = last_try
        self.every = every
        self.summary = Summary()
        self._pending: list[tuple[str, Result]] = []
        self._lock = asyncio.Lock()

    async def add(self, key: str, result: Result) -> None:
        self._pending.append((key, result))
        # Write when ``every`` have come; while a write runs, keep sending until twice that (then
        # wait for it), so no more than 2 x ``every`` answers (plus the sends in flight) are unrecorded.
        if len(self._pending) >= self.every and (not self._lock.locked() or len(self._pending) >= 2 * self.every):
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            while self._pending:  # what arrived while the last write ran is written next
                answers, self._pending = self._pending, []
                self.summary.add(await record(self.pool, answers, self.last_try))


async def deliver(pool: asyncpg.Pool, sender: PushSender, notices: list[Addressed],
                  last_try: LastTry | None = None) -> Summary:
    """Send each notice to every device of its citizen that wants it (the citizen's switch) and has
    not had its key yet, each in the device's language (helpers' phones for parcel notices too);
    record who got it as the answers come."""
    async with pool.acquire() as conn:
        devices = await queries.select_targets(conn, [
            queries.Wanted(n.target.citizen_id, preference(n.notice).value, n.key, n.notice in HELPER_NOTICES)
            for n in notices])
    if not devices:
        return Summary()
    bodies: dict[tuple, bytes] = {}

    def body(item: Addressed, language: str, about: str | None) -> bytes:
        target = item.target
        # A helper's phone is told whose parcel it is; tapping it leads to "whom do you act for".
        cache_key = (item.notice, language, about, target.url, target.tag, msgspec.json.encode(target.values))
        if cache_key not in bodies:
            bodies[cache_key] = build(item.notice, language, url=HELPER_URL if about else target.url,
                                      tag=target.tag, values=target.values, about=about)
        return bodies[cache_key]

    recorder = Recorder(pool, last_try)

    async def send_one(item: Addressed, index_device: tuple) -> None:
        _index, device, language, about = index_device
        ttl, urgency = delivery(item.notice)
        result = await sender.send(device, body(item, language, about), ttl=ttl, urgency=urgency,
                                   topic=item.target.tag)
        await recorder.add(item.key, result)

    try:
        await asyncio.gather(*(send_one(notices[row[0]], row) for row in devices))
    finally:
        await asyncio.shield(recorder.flush())  # what was sent is recorded, also when the job is stopped
    return recorder.summary
