"""Writes and reads behind the supervisor's opening hours, capacity and reports pages."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.callbacks.queries import select_schedule
from backend.callbacks.rules import Schedule, closed_day_value


async def lock_schedule(conn: asyncpg.Connection) -> Schedule:
    """Lock the settings row (one change at a time) and return the schedule as it is now."""
    await conn.execute("SELECT 1 FROM callback_settings FOR UPDATE")
    return await select_schedule(conn)


async def select_future_bookings(conn: asyncpg.Connection, since: dt.datetime) -> list[asyncpg.Record]:
    """Per future slot with bookings: (slot_start, booked, capacity override)."""
    return await conn.fetch(
        """SELECT c.slot_start, count(*)::int AS booked, s.capacity
             FROM callback c JOIN callback_slot s ON s.slot_start = c.slot_start
            WHERE c.slot_start >= $1 AND c.status <> 'cancelled'
            GROUP BY c.slot_start, s.capacity
            ORDER BY c.slot_start""",
        since,
    )


async def update_schedule(conn: asyncpg.Connection, schedule: Schedule, staff_id: int) -> None:
    """Replace the opening hours, slot length, advisors per slot and extra closed days (one transaction
    is the caller's). Existing bookings are never touched."""
    await conn.execute(
        """UPDATE callback_settings
              SET slot_minutes = $1, advisors_per_slot = $2, closed_days = $3, updated_at = now(), updated_by = $4""",
        schedule.slot_minutes, schedule.capacity, [closed_day_value(d) for d in schedule.closed_days], staff_id,
    )
    await conn.executemany(
        "UPDATE callback_opening_hours SET opens = $2, closes = $3 WHERE weekday = $1",
        [(weekday, *(hours or (None, None))) for weekday, hours in enumerate(schedule.hours)],
    )


async def upsert_slot_capacity(
    conn: asyncpg.Connection, slot_start: dt.datetime, capacity: int | None
) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO callback_slot (slot_start, capacity) VALUES ($1, $2)
           ON CONFLICT (slot_start) DO UPDATE SET capacity = EXCLUDED.capacity
           RETURNING slot_start, capacity""",
        slot_start, capacity,
    )


async def select_overrides(conn: asyncpg.Connection, since: dt.datetime) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT s.slot_start, s.capacity,
                  (SELECT count(*) FROM callback c WHERE c.slot_start = s.slot_start AND c.status <> 'cancelled')::int
                      AS booked
             FROM callback_slot s
            WHERE s.slot_start >= $1 AND s.capacity IS NOT NULL
            ORDER BY s.slot_start""",
        since,
    )


async def select_report(conn: asyncpg.Connection, since: dt.datetime) -> list[asyncpg.Record]:
    """Callbacks with a slot since ``since`` by status and outcome."""
    return await conn.fetch(
        """SELECT status, outcome, count(*)::int AS n
             FROM callback WHERE slot_start >= $1
            GROUP BY status, outcome
            ORDER BY status, outcome NULLS FIRST""",
        since,
    )
