"""Callback push jobs without a database: when a reminder is stale, and the worker wiring
(both entrypoints registered, one push session shared with the push module)."""

from __future__ import annotations

import datetime as dt

from backend.callbacks import jobs as callback_jobs
from backend.callbacks.jobs import reminder_problem
from backend.callbacks.rules import TZ
from backend.push import jobs as push_jobs
from backend.push.notices import PREFERENCE_TYPES, NoticeType, preference
from backend.worker import HANDLER_MODULES
from tests.push_fixtures import CapturingWorker, push_settings

SLOT = dt.datetime(2026, 3, 2, 10, 30, tzinfo=TZ)
PAYLOAD = {"callback_id": 5, "citizen_id": 9, "slot_start": "2026-03-02T10:30:00+01:00", "version": 2}
CURRENT = {"id": 5, "citizen_id": 9, "slot_start": SLOT, "phone": "+45 28 14 63 07", "status": "waiting",
           "version": 2}
BEFORE = SLOT - dt.timedelta(minutes=30)


def test_a_current_reminder_is_sent():
    assert reminder_problem(CURRENT, PAYLOAD, BEFORE) is None
    # The same instant written in UTC is the same slot.
    assert reminder_problem(CURRENT, PAYLOAD | {"slot_start": "2026-03-02T09:30:00+00:00"}, BEFORE) is None


def test_stale_reminders_are_not_sent():
    assert reminder_problem(None, PAYLOAD, BEFORE) == "the callback no longer exists"
    for status in ("cancelled", "in_progress", "no_answer", "done", "failed"):
        assert reminder_problem(CURRENT | {"status": status}, PAYLOAD, BEFORE) == f"the callback is {status}"
    assert reminder_problem(CURRENT | {"version": 3}, PAYLOAD, BEFORE) == "the callback was moved"
    assert reminder_problem(CURRENT | {"slot_start": SLOT + dt.timedelta(hours=1)}, PAYLOAD, BEFORE) == (
        "the callback was moved")
    assert reminder_problem(CURRENT | {"citizen_id": 10}, PAYLOAD, BEFORE) is not None
    assert reminder_problem(CURRENT, PAYLOAD, SLOT) == "the call's time has come"   # the job ran very late


def test_not_reached_follows_the_callback_reminder_switch():
    assert preference(NoticeType.CALLBACK_UNREACHABLE) is NoticeType.CALLBACK_REMINDER
    assert NoticeType.CALLBACK_UNREACHABLE not in PREFERENCE_TYPES
    assert NoticeType.CALLBACK_REMINDER in PREFERENCE_TYPES


async def test_both_entrypoints_share_the_push_modules_one_session():
    assert "backend.callbacks.jobs" in HANDLER_MODULES
    worker = CapturingWorker(push_settings(), None)
    push_jobs.register(worker)
    callback_jobs.register(worker)
    assert {"push_notify", "callback_reminder", "callback_unreachable"} <= set(worker.handlers)
    assert len(worker.closers) == 1   # one aiohttp session for the process
    await worker.close()
