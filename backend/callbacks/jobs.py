"""Worker jobs for callbacks: the push reminder before a call and the "we could not reach you" notice.

Both send through the push module's one sending path (backend/push/jobs.py ``push_sender`` and
``send``): each device of the citizen that has the "calls from FSC" switch on (push_preference
'callback_reminder', which covers both notices) gets the notice once, in its own language, and
a 429/5xx answer is retried with back-off for the devices still missing it.

``callback_reminder`` {"callback_id", "citizen_id", "slot_start", "version"} (queued by
backend/callbacks/booking.py 30 minutes before the slot): sent only while the callback is still
'waiting' at that version and slot and the slot has not begun; a reminder left over from a move
or a cancelled call does nothing. Key ``callback_reminder:<id>:<version>``: once per device per
booked time. Not held back in quiet hours: the slot lies within FSC's opening hours.

``callback_unreachable`` {"callback_id", "citizen_id"} (queued by the staff console after the 3rd
unanswered call): sent while the callback is 'failed'. Key ``callback_unreachable:<id>``.

Lock-screen texts name the time and the phone number, never the topic or the note.
"""

from __future__ import annotations

import datetime as dt
import logging

from pgqueuer.models import Job

from backend.callbacks import queries
from backend.callbacks.booking import REMINDER_JOB, UNREACHABLE_JOB
from backend.push.jobs import push_sender, send
from backend.push.notices import NoticeType
from backend.push.delivery import Notice

log = logging.getLogger("fsc.worker.callbacks")

URL = "/callbacks"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def tag(callback_id: int) -> str:
    """One tag (and Topic) per callback: a newer notice about the call replaces an older one on the phone."""
    return f"callback-{callback_id}"


def reminder_problem(callback, payload: dict, now: dt.datetime) -> str | None:  # noqa: ANN001 - a Record
    """Why the reminder in ``payload`` must not be sent (it is stale), or None."""
    if callback is None:
        return "the callback no longer exists"
    if callback["citizen_id"] != payload["citizen_id"]:
        return "the callback belongs to another citizen"
    if callback["status"] != "waiting":
        return f"the callback is {callback['status']}"
    if callback["version"] != payload["version"] or callback["slot_start"] != dt.datetime.fromisoformat(
            payload["slot_start"]):
        return "the callback was moved"
    if callback["slot_start"] <= now:
        return "the call's time has come"
    return None


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    sender = push_sender(worker)

    @worker.job(REMINDER_JOB)
    async def callback_reminder(payload: dict, job: Job) -> None:
        if sender is None:
            return
        callback_id = payload["callback_id"]
        key = f"{REMINDER_JOB}:{callback_id}:{payload['version']}"
        async with worker.pool.acquire() as conn:
            callback = await queries.select_callback_for_notice(conn, callback_id)
        if problem := reminder_problem(callback, payload, utc_now()):
            log.debug("%s: not sent, %s", key, problem)
            return
        notice = Notice(callback["citizen_id"], URL, tag(callback_id),
                        {"time": callback["slot_start"], "phone": callback["phone"]})
        await send(worker.pool, sender, NoticeType.CALLBACK_REMINDER, key, notice, job)

    @worker.job(UNREACHABLE_JOB)
    async def callback_unreachable(payload: dict, job: Job) -> None:
        if sender is None:
            return
        callback_id = payload["callback_id"]
        key = f"{UNREACHABLE_JOB}:{callback_id}"
        async with worker.pool.acquire() as conn:
            callback = await queries.select_callback_for_notice(conn, callback_id)
        if callback is None or callback["status"] != "failed" or callback["citizen_id"] != payload["citizen_id"]:
            log.debug("%s: not sent, the callback is %s", key, "gone" if callback is None else callback["status"])
            return
        await send(worker.pool, sender, NoticeType.CALLBACK_UNREACHABLE, key,
                   Notice(callback["citizen_id"], URL, tag(callback_id)), job)
