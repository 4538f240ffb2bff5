"""Callback notices through the real sending path and the local push service (VAPID checked,
payloads decrypted): the reminder before a call, once per device per booked time, never for a
call that was moved or cancelled; "we could not reach you" once per device; the citizen's switch.
"""

from __future__ import annotations

import msgspec
import pytest
from pgqueuer.errors import RetryRequested

from backend.callbacks import booking
from backend.callbacks.jobs import register
from backend.callbacks.rules import TZ
from tests.integration.callback_helpers import book_directly, free_slot, new_citizens, now
from tests.push_fixtures import capturing_worker, job, push_settings, subscribe

REMINDER, UNREACHABLE = booking.REMINDER_JOB, booking.UNREACHABLE_JOB
PHONE = "+45 28 14 63 07"  # book_directly's number


@pytest.fixture
async def worker(db_url, service):
    async with capturing_worker(db_url, service, register) as capturing:
        yield capturing


async def queued(db, entrypoint: str, callback_id: int) -> list[dict]:
    rows = await db.fetch("SELECT payload FROM pgqueuer WHERE entrypoint = $1 AND dedupe_key LIKE $2 ORDER BY id",
                          entrypoint, f"{entrypoint}:{callback_id}%")
    return [msgspec.json.decode(row["payload"]) for row in rows]


def clock(slot, language: str) -> str:
    """The slot's time of day in Danish time as each language writes it (da 10.30, en 10:30 AM)."""
    local = slot.astimezone(TZ)
    if language == "da":
        return f"{local.hour:02d}.{local.minute:02d}"
    return f"{local.hour % 12 or 12}:{local.minute:02d}\u202f{'AM' if local.hour < 12 else 'PM'}"


async def test_reminder_reaches_each_device_once_in_its_language(db, service, worker):
    [citizen, stranger] = await new_citizens(db, 2, "Påmind")
    danish, _ = await subscribe(db, service, citizen, "da")
    english, _ = await subscribe(db, service, citizen, "en")
    busy, _ = await subscribe(db, service, citizen, "da", statuses=[503])
    other, _ = await subscribe(db, service, stranger, "da")
    slot = await free_slot(db)
    callback = await book_directly(db, citizen, slot)
    [payload] = await queued(db, REMINDER, callback)

    with pytest.raises(RetryRequested):                       # the busy push service: tried again later
        await worker.handlers[REMINDER](payload, job())
    await worker.handlers[REMINDER](payload, job(attempts=1))  # the retry reaches only the busy device
    await worker.handlers[REMINDER](payload, job())            # the job runs again: nothing more
    [da] = service.messages_for(danish)
    [en] = service.messages_for(english)
    assert len(service.messages_for(busy)) == 1 and service.messages_for(other) == []
    assert da.payload == {"title": "Fælles Service Center ringer snart",
                          "body": f"Vi ringer dig op kl. {clock(slot, 'da')} på {PHONE}.",
                          "url": "/callbacks", "tag": f"callback-{callback}", "type": "callback_reminder",
                          "icon": "/static/icons/icon-192.png"}
    assert en.payload["title"] == "Fælles Service Center will call you soon"
    assert en.payload["body"] == f"We will call you at {clock(slot, 'en')} on {PHONE}."
    assert da.urgency == "high" and da.topic == f"callback-{callback}" and da.ttl == 1800
    assert service.errors == []


async def test_moved_or_cancelled_calls_get_no_stale_reminder(db, service, worker):
    [citizen] = await new_citizens(db, 1, "Flyt")
    device, _ = await subscribe(db, service, citizen, "en")
    first_slot, new_slot = await free_slot(db, slot_index=2), await free_slot(db, slot_index=4)
    moved = await book_directly(db, citizen, first_slot)
    await booking.move(db, citizen, moved, new_slot, now())
    old, new = await queued(db, REMINDER, moved)
    assert (old["version"], new["version"]) == (1, 2)
    cancelled = await book_directly(db, citizen, await free_slot(db, day_index=5))
    [for_cancelled] = await queued(db, REMINDER, cancelled)
    await booking.cancel(db, citizen, cancelled)

    await worker.handlers[REMINDER](old, job())             # the old time: nothing
    await worker.handlers[REMINDER](for_cancelled, job())   # a cancelled call: nothing
    assert service.messages_for(device) == []
    await worker.handlers[REMINDER](new, job())             # the current time: sent
    [message] = service.messages_for(device)
    assert message.payload["body"] == f"We will call you at {clock(new_slot, 'en')} on {PHONE}."
    # A version-2 payload whose slot is not the booked one (e.g. a hand-made job) is stale too.
    await worker.handlers[REMINDER](new | {"slot_start": old["slot_start"], "version": 3}, job())
    assert len(service.messages) == 1 and service.errors == []


async def test_unreachable_notice_reaches_each_device_once(db, service, worker):
    [citizen] = await new_citizens(db, 1, "Forgæves")
    danish, _ = await subscribe(db, service, citizen, "da")
    english, _ = await subscribe(db, service, citizen, "en")
    callback = await book_directly(db, citizen, await free_slot(db))
    payload = {"callback_id": callback, "citizen_id": citizen}   # as the staff console queues it

    await worker.handlers[UNREACHABLE](payload, job())          # not 'failed' (yet): nothing
    assert service.messages == []
    await db.execute("UPDATE callback SET status = 'failed', attempts = 3, outcome = 'no_answer' WHERE id = $1",
                     callback)
    await worker.handlers[UNREACHABLE](payload, job())
    await worker.handlers[UNREACHABLE](payload, job())          # run again: nobody gets it twice
    [da] = service.messages_for(danish)
    [en] = service.messages_for(english)
    assert en.payload == {"title": "We could not reach you",
                          "body": "Fælles Service Center tried to call you 3 times. Book a new time or call us.",
                          "url": "/callbacks", "tag": f"callback-{callback}", "type": "callback_unreachable",
                          "icon": "/static/icons/icon-192.png"}
    assert da.payload["title"] == "Vi kunne ikke få fat i dig"
    assert da.payload["body"] == ("Fælles Service Center har prøvet at ringe til dig 3 gange. "
                                  "Bestil en ny tid, eller ring til os.")
    # The reminder's queued job is stale now (the call failed): nothing.
    [reminder] = await queued(db, REMINDER, callback)
    await worker.handlers[REMINDER](reminder, job())
    assert len(service.messages) == 2 and service.errors == []


async def test_the_calls_switch_off_means_no_callback_notices(db, service, worker):
    [citizen] = await new_citizens(db, 1, "Stille")
    device, _ = await subscribe(db, service, citizen, "da")
    await db.execute("INSERT INTO push_preference (citizen_id, type, enabled) VALUES ($1, 'callback_reminder', false)",
                     citizen)
    callback = await book_directly(db, citizen, await free_slot(db))
    [reminder] = await queued(db, REMINDER, callback)
    await worker.handlers[REMINDER](reminder, job())
    await db.execute("UPDATE callback SET status = 'failed', attempts = 3 WHERE id = $1", callback)
    await worker.handlers[UNREACHABLE]({"callback_id": callback, "citizen_id": citizen}, job())
    assert service.messages_for(device) == []
