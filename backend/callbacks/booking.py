"""Booking, moving and cancelling callbacks: each one transaction, race-safe, with its reminder job.

Locks, always in this order so two transactions never wait for each other in a circle:
the citizen row (booking: the open-callbacks limit) or the callback row (moving), then the slot
row (capacity). A failed check raises ``BookingError`` inside the transaction, which rolls it
back: nothing is written.

Reminder job (handled in backend/callbacks/jobs.py): entrypoint ``callback_reminder``, queued in the
same transaction as the booking or move, due 30 minutes before the slot (not queued when that is
already past). Payload::

    {"callback_id": 123, "citizen_id": 45, "slot_start": "2026-03-02T08:30:00+01:00", "version": 1}

``version`` grows with every move and each move queues a new reminder
(dedupe key ``callback_reminder:<id>:<version>``). The handler must load the callback and do
nothing unless its status is still 'waiting' and its version and slot equal the payload's, so a
reminder for an old time or a cancelled call is a no-op.

When the third call is not answered, the staff console queues ``callback_unreachable`` with
``{"callback_id": 123, "citizen_id": 45}`` (dedupe key ``callback_unreachable:<id>``) so the citizen
is told by push (backend/callbacks/jobs.py); "Mine opkald" tells them too.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend import jobs
from backend.audit import log_event
from backend.callbacks import queries
from backend.callbacks.models import Booking
from backend.callbacks.rules import (
    CHANGEABLE_STATUSES,
    effective_capacity,
    may_book_another,
    reminder_delay,
    slot_problem,
    slot_value,
)

REMINDER_JOB = "callback_reminder"
UNREACHABLE_JOB = "callback_unreachable"   # queued by the staff console (backend/callbacks/call_routes.py)


class BookingError(Exception):
    """A booking rule said no; ``code`` is a key of labels.ERRORS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def _take_place(conn: asyncpg.Connection, slot_start: dt.datetime, now: dt.datetime) -> None:
    schedule = await queries.select_schedule(conn)
    if problem := slot_problem(schedule, slot_start, now):
        raise BookingError(problem)
    override = await queries.lock_slot(conn, slot_start)
    if await queries.count_booked(conn, slot_start) >= effective_capacity(schedule, override):
        raise BookingError("full")


async def _queue_reminder(conn: asyncpg.Connection, row: asyncpg.Record, now: dt.datetime) -> None:
    delay = reminder_delay(row["slot_start"], now)
    if delay is None:
        return
    payload = {"callback_id": row["id"], "citizen_id": row["citizen_id"],
               "slot_start": slot_value(row["slot_start"]), "version": row["version"]}
    await jobs.enqueue(conn, REMINDER_JOB, payload, dedupe_key=f"{REMINDER_JOB}:{row['id']}:{row['version']}",
                       run_after=delay)


async def book(conn: asyncpg.Connection, citizen_id: int, booking: Booking, now: dt.datetime,
               actor: tuple[str, int] | None = None) -> asyncpg.Record:
    """Book a callback for the citizen; raise BookingError (nothing written) when a rule says no.

    ``actor`` (kind, id) is who booked it, for the audit log: the citizen themself by default, or
    ("staff", id) when an advisor books it for them (the same rules: capacity, slots, the limit)."""
    actor_kind, actor_id = actor or ("citizen", citizen_id)
    async with conn.transaction():
        await queries.lock_citizen(conn, citizen_id)
        if not may_book_another(await queries.count_open(conn, citizen_id)):
            raise BookingError("too_many")
        await _take_place(conn, booking.slot_start, now)
        row = await queries.insert_callback(conn, citizen_id, booking.slot_start, booking.topic, booking.phone,
                                            booking.note)
        await _queue_reminder(conn, row, now)
        await log_event(conn, actor_kind=actor_kind, actor_id=actor_id, citizen_id=citizen_id,
                        action="callback_booked", detail={"callback_id": row["id"]})
    return row


async def move(
    conn: asyncpg.Connection, citizen_id: int, callback_id: int, slot_start: dt.datetime, now: dt.datetime,
    actor: tuple[str, int] | None = None,
) -> asyncpg.Record | None:
    """Move the citizen's own callback to another slot. None when it is not theirs."""
    async with conn.transaction():
        current = await queries.select_own_callback(conn, callback_id, citizen_id, for_update=True)
        if current is None:
            return None
        if current["status"] not in CHANGEABLE_STATUSES:
            raise BookingError("not_changeable")
        if current["slot_start"] == slot_start:
            raise BookingError("same_slot")
        await _take_place(conn, slot_start, now)
        row = await queries.update_slot(conn, callback_id, slot_start)
        await _queue_reminder(conn, row, now)
        kind, actor_id = actor or ("citizen", citizen_id)
        await log_event(conn, actor_kind=kind, actor_id=actor_id, citizen_id=citizen_id,
                        action="callback_moved", detail={"callback_id": callback_id,
                                                         "from": slot_value(current["slot_start"]),
                                                         "to": slot_value(slot_start)})
    return row


async def cancel(conn: asyncpg.Connection, citizen_id: int, callback_id: int,
                 actor: tuple[str, int] | None = None) -> asyncpg.Record | None:
    """Cancel the citizen's own callback. None when it is not theirs."""
    async with conn.transaction():
        current = await queries.select_own_callback(conn, callback_id, citizen_id, for_update=True)
        if current is None:
            return None
        row = await queries.update_cancel(conn, callback_id, citizen_id)
        if row is None:
            raise BookingError("not_changeable")
        kind, actor_id = actor or ("citizen", citizen_id)
        await log_event(conn, actor_kind=kind, actor_id=actor_id, citizen_id=citizen_id,
                        action="callback_cancelled", detail={"callback_id": callback_id})
    return row
