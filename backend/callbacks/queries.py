"""Callback and schedule queries (citizen side and the schedule shared with the staff console)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.callbacks.rules import CHANGEABLE_STATUSES, OPEN_STATUSES, Schedule, parse_closed_days


# ---- schedule -------------------------------------------------------------------------------
async def select_schedule(conn: asyncpg.Connection) -> Schedule:
    row = await conn.fetchrow(
        """SELECT s.slot_minutes, s.advisors_per_slot, s.closed_days,
                  array_agg(h.opens ORDER BY h.weekday) AS opens,
                  array_agg(h.closes ORDER BY h.weekday) AS closes
             FROM callback_settings s CROSS JOIN callback_opening_hours h
            GROUP BY s.slot_minutes, s.advisors_per_slot, s.closed_days"""
    )
    hours = tuple(None if opens is None else (opens, closes) for opens, closes in zip(row["opens"], row["closes"]))
    return Schedule(hours=hours, slot_minutes=row["slot_minutes"], capacity=row["advisors_per_slot"],
                    closed_days=parse_closed_days(row["closed_days"]))


async def select_slot_usage(conn: asyncpg.Connection, start: dt.datetime, end: dt.datetime) -> list[asyncpg.Record]:
    """Per known slot in [start, end): the capacity override (or NULL) and the bookings that count."""
    return await conn.fetch(
        """SELECT s.slot_start, s.capacity,
                  count(c.id) FILTER (WHERE c.status <> 'cancelled')::int AS booked
             FROM callback_slot s LEFT JOIN callback c ON c.slot_start = s.slot_start
            WHERE s.slot_start >= $1 AND s.slot_start < $2
            GROUP BY s.slot_start, s.capacity
            ORDER BY s.slot_start""",
        start, end,
    )


async def lock_slot(conn: asyncpg.Connection, slot_start: dt.datetime) -> int | None:
    """Create the slot row if needed and lock it until the transaction ends; return its override.

    ON CONFLICT DO UPDATE takes the row lock even when the row exists, so concurrent bookings of
    one slot queue up here and each counts the bookings committed before it.
    """
    return await conn.fetchval(
        """INSERT INTO callback_slot (slot_start) VALUES ($1)
           ON CONFLICT (slot_start) DO UPDATE SET capacity = callback_slot.capacity
           RETURNING capacity""",
        slot_start,
    )


async def count_booked(conn: asyncpg.Connection, slot_start: dt.datetime) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM callback WHERE slot_start = $1 AND status <> 'cancelled'", slot_start
    )


# ---- the citizen's callbacks ------------------------------------------------------------------
async def select_citizen_phone(conn: asyncpg.Connection, citizen_id: int) -> str | None:
    return await conn.fetchval("SELECT phone FROM citizen WHERE id = $1", citizen_id)


async def lock_citizen(conn: asyncpg.Connection, citizen_id: int) -> None:
    """Serialise one citizen's bookings (the open-callbacks limit); FK inserts are not blocked."""
    await conn.execute("SELECT 1 FROM citizen WHERE id = $1 FOR NO KEY UPDATE", citizen_id)


async def count_open(conn: asyncpg.Connection, citizen_id: int) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM callback WHERE citizen_id = $1 AND status = ANY($2::text[]) AND kind = 'booked'",
        citizen_id, list(OPEN_STATUSES),
    )


async def insert_callback(
    conn: asyncpg.Connection, citizen_id: int, slot_start: dt.datetime, topic: str, phone: str, note: str
) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO callback (citizen_id, slot_start, topic, phone, note)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING id, citizen_id, slot_start, topic, phone, note, status, version""",
        citizen_id, slot_start, topic, phone, note,
    )


async def select_citizen_callbacks(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """The citizen's calls for "Mine opkald": booked ones, and inbound ones once the advisor closed them
    (then with what was agreed). ``slot_start`` is an inbound call's opening time."""
    return await conn.fetch(
        """SELECT id, coalesce(slot_start, created_at) AS slot_start, kind, topic, phone, note, status, attempts,
                  updated_at, citizen_summary,
                  (SELECT split_part(s.name, ' ', 1) FROM staff s WHERE s.id = callback.claimed_by) AS advisor_first_name
             FROM callback WHERE citizen_id = $1 AND (kind = 'booked' OR status = 'done')
            ORDER BY coalesce(slot_start, created_at) DESC, id DESC
            LIMIT 50""",
        citizen_id,
    )


async def select_own_callback(
    conn: asyncpg.Connection, callback_id: int, citizen_id: int, *, for_update: bool = False
) -> asyncpg.Record | None:
    """One of the citizen's own callbacks (None for anybody else's)."""
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"""SELECT id, citizen_id, slot_start, topic, phone, note, status, attempts, version
              FROM callback WHERE id = $1 AND citizen_id = $2{lock}""",
        callback_id, citizen_id,
    )


async def update_cancel(conn: asyncpg.Connection, callback_id: int, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """UPDATE callback SET status = 'cancelled', updated_at = now()
            WHERE id = $1 AND citizen_id = $2 AND status = ANY($3::text[])
           RETURNING id, slot_start, status""",
        callback_id, citizen_id, list(CHANGEABLE_STATUSES),
    )


async def update_slot(conn: asyncpg.Connection, callback_id: int, slot_start: dt.datetime) -> asyncpg.Record:
    """Move a callback (already locked and checked); it is waiting again at the new time."""
    return await conn.fetchrow(
        """UPDATE callback SET slot_start = $2, status = 'waiting', version = version + 1, updated_at = now()
            WHERE id = $1
           RETURNING id, citizen_id, slot_start, status, version""",
        callback_id, slot_start,
    )


async def select_callback_for_notice(conn: asyncpg.Connection, callback_id: int) -> asyncpg.Record | None:
    """What a push notice about a callback needs (the worker's reminder and "not reached" jobs)."""
    return await conn.fetchrow(
        "SELECT id, citizen_id, slot_start, phone, status, version FROM callback WHERE id = $1", callback_id
    )
