"""Demo staff for the FSC console (3 advisors, 1 supervisor) and demo callbacks so the queue is not empty.

Invented people. Called at the end of ``seed_demo`` inside its transaction, after the citizens.
The callbacks fall on the first two FSC open days from ``today`` (today itself when open), plus one
completed call some days back; no reminder jobs are queued for them.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.callbacks.queries import select_schedule
from backend.callbacks.rules import TZ, Schedule
from backend.citizens.cpr import cpr_hash

DEMO_STAFF = (
    ("Anne Holm", "anne.holm@fsc.example", "advisor"),
    ("Jonas Friis", "jonas.friis@fsc.example", "advisor"),
    ("Maria Lind", "maria.lind@fsc.example", "advisor"),
    ("Peter Vang", "peter.vang@fsc.example", "supervisor"),
)

# (citizen CPR, open day index (0 = first open day from today; negative = before today), time, topic, note)
DEMO_CALLBACKS = (
    ("1409471857", 0, dt.time(9, 0), "product", "Basispladen lækker ved kanten om natten."),
    ("3009651508", 0, dt.time(10, 30), "product", "Ny stomi. Huden omkring er rød og øm."),
    ("1312571046", 1, dt.time(8, 30), "order", ""),
    ("0304451617", 1, dt.time(11, 0), "grant", "Min bevilling udløber snart. Hvad gør jeg?"),
)
# One call already made: (CPR, open days back, time, topic, note, advisor index, outcome, outcome note)
DEMO_DONE = (
    ("1409471857", 7, dt.time(13, 0), "product", "Posen løsner sig.", 0, "advice_given",
     "Anbefalet konveks basisplade og bælte. Følg op om 14 dage."),
)


def _open_day(schedule: Schedule, today: dt.date, index: int) -> dt.date:
    """The index-th FSC open day from today (0 = today or the next open day); negative counts back."""
    step = dt.timedelta(days=-1 if index < 0 else 1)
    day = today if index >= 0 else today + step
    remaining = abs(index) if index >= 0 else abs(index) - 1
    while True:
        if schedule.is_open_day(day):
            if remaining == 0:
                return day
            remaining -= 1
        day += step


async def seed_staff(conn: asyncpg.Connection, cpr_key: str, today: dt.date) -> None:
    staff_ids = [
        await conn.fetchval(
            "INSERT INTO staff (name, email, role, is_demo) VALUES ($1, $2, $3, true) RETURNING id", name, email, role)
        for name, email, role in DEMO_STAFF
    ]
    schedule = await select_schedule(conn)
    rows = []
    for cpr, index, time, topic, note in DEMO_CALLBACKS:
        start = dt.datetime.combine(_open_day(schedule, today, index), time, TZ)
        rows.append((cpr, start, topic, note, "waiting", None, None, ""))
    for cpr, back, time, topic, note, advisor, outcome, outcome_note in DEMO_DONE:
        start = dt.datetime.combine(_open_day(schedule, today, -back), time, TZ)
        rows.append((cpr, start, topic, note, "done", staff_ids[advisor], outcome, outcome_note))
    for cpr, start, topic, note, status, advisor, outcome, outcome_note in rows:
        citizen = await conn.fetchrow("SELECT id, phone FROM citizen WHERE cpr_hash = $1", cpr_hash(cpr_key, cpr))
        if citizen is None:
            raise LookupError(f"demo callback for an unknown demo citizen {cpr}")
        await conn.execute("INSERT INTO callback_slot (slot_start) VALUES ($1) ON CONFLICT DO NOTHING", start)
        await conn.execute(
            """INSERT INTO callback (citizen_id, slot_start, topic, phone, note, status, claimed_by, claimed_at,
                                     outcome, outcome_note, created_at)
               VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7,
                       CASE WHEN $7::int IS NULL THEN NULL ELSE $2::timestamptz END, $8, $9,
                       least(now(), $2::timestamptz - interval '1 day'))""",
            citizen["id"], start, topic, citizen["phone"], note, status, advisor, outcome, outcome_note,
        )
