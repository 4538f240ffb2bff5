"""Shared helpers for the callback and staff console tests (real database, real rules)."""

from __future__ import annotations

import datetime as dt
import itertools

import asyncpg

from backend.callbacks import booking
from backend.callbacks.models import Booking
from backend.callbacks.queries import select_schedule
from backend.callbacks.rules import TZ, booking_days, slot_starts, slot_value
from tests.integration.test_home import make_citizen

_cpr_serial = itertools.count(1000)
COUNTED_TABLES = ("callback", "callback_slot", "audit_log")


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


async def free_slot(db: asyncpg.Connection, day_index: int = 4, slot_index: int = 2) -> dt.datetime:
    """A bookable slot on the day_index-th booking day (days 0–1 carry the demo bookings)."""
    schedule = await select_schedule(db)
    day = booking_days(schedule, now())[day_index]
    return slot_starts(schedule, day)[slot_index]


async def counts(db: asyncpg.Connection) -> dict[str, int]:
    """Row counts that must not change when a request is refused."""
    result = {table: await db.fetchval(f"SELECT count(*) FROM {table}") for table in COUNTED_TABLES}
    result["jobs"] = await db.fetchval("SELECT count(*) FROM pgqueuer")
    result["changed"] = await db.fetchval("SELECT count(*) FROM callback WHERE updated_at > created_at")
    return result


async def new_citizens(db: asyncpg.Connection, n: int, prefix: str = "Race") -> list[int]:
    """n new citizens (invented CPR numbers, unique within the test session)."""
    return [await make_citizen(db, f"{prefix} Borger {i}", f"0101{next(_cpr_serial):06d}") for i in range(n)]


async def book_directly(db: asyncpg.Connection, citizen_id: int, slot: dt.datetime, topic: str = "product") -> int:
    row = await booking.book(db, citizen_id, Booking(topic, slot, "+45 28 14 63 07", ""), now())
    return row["id"]


def booking_form(when: dt.datetime, csrf: str, **overrides: str) -> dict[str, str]:
    form = {"topic": "product", "slot": slot_value(when), "phone": "28 14 63 07", "note": "Basispladen lækker",
            "_csrf_token": csrf}
    form.update(overrides)
    return form
