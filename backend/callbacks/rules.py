"""Callback rules (pure functions, no I/O): slots, opening hours, phone numbers, limits, outcomes.

Slots are wall-clock times in Europe/Copenhagen: a day with opening hours 08:00–15:00 and
30-minute slots has slots 08:00, 08:30 … 14:30. A citizen may book any slot that starts at least
``MIN_NOTICE`` from now on one of the next ``BOOKING_DAYS`` open days (working days per
backend/calendar_dk.py, minus the days FSC keeps closed, with opening hours that weekday).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import msgspec

from backend.calendar_dk import MonthDay, is_working_day

TZ = ZoneInfo("Europe/Copenhagen")
BOOKING_DAYS = 10
MIN_NOTICE = dt.timedelta(minutes=10)
REMINDER_BEFORE = dt.timedelta(minutes=30)
MAX_OPEN_PER_CITIZEN = 2
MAX_ATTEMPTS = 3
SLOT_MINUTES = (15, 20, 30, 60)
MAX_CAPACITY = 50
NOTE_MAX = 500

TOPICS = ("grant", "order", "product", "other")
OUTCOMES = ("advice_given", "order_placed", "forwarded_to_municipality", "no_answer")
KINDS = ("booked", "inbound")
"""A booked callback (a slot chosen by the citizen, or by FSC for them) or an inbound call (the citizen phoned)."""
OPEN_STATUSES = ("waiting", "in_progress", "no_answer")
CLAIMABLE_STATUSES = ("waiting", "no_answer")
CHANGEABLE_STATUSES = ("waiting", "no_answer")   # the citizen may still cancel or move it

OPTIONAL_CLOSED_DAYS: tuple[MonthDay, ...] = ((6, 5), (12, 24), (12, 31))
"""Days a supervisor may close besides public holidays: grundlovsdag, juleaftensdag, nytårsaftensdag."""


class Schedule(msgspec.Struct, frozen=True):
    """When FSC takes calls: opening hours per weekday (0 = Monday; None = closed), slot length,
    advisors per slot, and the extra closed (month, day) pairs."""

    hours: tuple[tuple[dt.time, dt.time] | None, ...]
    slot_minutes: int
    capacity: int
    closed_days: tuple[MonthDay, ...] = ()

    def is_open_day(self, day: dt.date) -> bool:
        return self.hours[day.weekday()] is not None and is_working_day(day, self.closed_days)


class Slot(msgspec.Struct, frozen=True):
    start: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def slot_starts(schedule: Schedule, day: dt.date) -> list[dt.datetime]:
    """Start times of the day's slots (aware, Copenhagen); none on a closed day.
    A slot must end by closing time."""
    if not schedule.is_open_day(day):
        return []
    opens, closes = schedule.hours[day.weekday()]  # type: ignore[misc]
    start = dt.datetime.combine(day, opens)
    end = dt.datetime.combine(day, closes)
    step = dt.timedelta(minutes=schedule.slot_minutes)
    starts = []
    while start + step <= end:
        starts.append(start.replace(tzinfo=TZ))
        start += step
    return starts


def bookable_starts(schedule: Schedule, day: dt.date, now: dt.datetime) -> list[dt.datetime]:
    return [start for start in slot_starts(schedule, day) if start >= now + MIN_NOTICE]


def booking_days(schedule: Schedule, now: dt.datetime) -> list[dt.date]:
    """The next ``BOOKING_DAYS`` open days that still have a bookable slot (today included)."""
    days: list[dt.date] = []
    day = local(now).date()
    for _ in range(BOOKING_DAYS * 7):  # bounded even if a supervisor closes every weekday
        if len(days) == BOOKING_DAYS:
            break
        if bookable_starts(schedule, day, now):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def slot_problem(schedule: Schedule, start: dt.datetime, now: dt.datetime) -> str | None:
    """Why ``start`` cannot be booked now ('past', 'closed', 'not_a_slot', 'too_far'), or None."""
    if start < now + MIN_NOTICE:
        return "past"
    day = local(start).date()
    if not schedule.is_open_day(day):
        return "closed"
    if local(start) not in slot_starts(schedule, day):
        return "not_a_slot"
    if day not in booking_days(schedule, now):
        return "too_far"
    return None


def effective_capacity(schedule: Schedule, override: int | None) -> int:
    return schedule.capacity if override is None else override


def parse_slot(value: str) -> dt.datetime | None:
    """A slot from a form value (ISO 8601 with offset, as the pages write it), or None."""
    try:
        start = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


def slot_value(start: dt.datetime) -> str:
    """The form value of a slot (local time with offset, e.g. 2026-03-02T08:30:00+01:00)."""
    return local(start).isoformat()


_PHONE_PREFIX = re.compile(r"^(?:\+45|0045)")


def normalise_phone(raw: str) -> str | None:
    """A Danish phone number as '+45 12 34 56 78', or None when it is not one.

    8 digits, optionally prefixed +45 or 0045; spaces (and the odd hyphen) allowed. Danish
    subscriber numbers start with 2–9 (0 is unused and 1 is for short service numbers).
    """
    compact = re.sub(r"[\s-]", "", raw)
    compact = _PHONE_PREFIX.sub("", compact, count=1)
    if not re.fullmatch(r"[2-9][0-9]{7}", compact):
        return None
    return "+45 " + " ".join(compact[i:i + 2] for i in range(0, 8, 2))


def outcomes_for(kind: str) -> tuple[str, ...]:
    """The outcomes an advisor may record: on an inbound call the citizen is on the line, so "no answer" is not one."""
    return OUTCOMES if kind == "booked" else tuple(o for o in OUTCOMES if o != "no_answer")


def may_book_another(open_count: int) -> bool:
    return open_count < MAX_OPEN_PER_CITIZEN


def after_no_answer(attempts: int) -> tuple[str, int]:
    """(new status, new attempts) after a call that was not answered: back in the queue as
    'no_answer' until the ``MAX_ATTEMPTS``-th try, then 'failed' (and the citizen is told)."""
    attempts += 1
    return ("failed" if attempts >= MAX_ATTEMPTS else "no_answer"), attempts


def reminder_delay(slot_start: dt.datetime, now: dt.datetime) -> dt.timedelta | None:
    """How long until the reminder is due (30 minutes before the slot); None when that is past."""
    due = slot_start - REMINDER_BEFORE
    return due - now if due > now else None


def parse_closed_days(values: Iterable[str]) -> tuple[MonthDay, ...]:
    """'MM-DD' strings (as stored) -> sorted (month, day) pairs; malformed values are ignored."""
    days = set()
    for value in values:
        month, _sep, day = value.partition("-")
        if month.isascii() and day.isascii() and month.isdigit() and day.isdigit() and len(value) == 5:
            try:
                dt.date(2024, int(month), int(day))  # a leap year, so 02-29 is allowed
            except ValueError:
                continue
            days.add((int(month), int(day)))
    return tuple(sorted(days))


def closed_day_value(month_day: MonthDay) -> str:
    return f"{month_day[0]:02d}-{month_day[1]:02d}"


def affected_bookings(
    schedule: Schedule, booked: Iterable[tuple[dt.datetime, int, int | None]]
) -> list[tuple[dt.datetime, int, int, str]]:
    """Future bookings a new schedule would not fit: given (slot start, open bookings, override),
    return (slot start, open bookings, new capacity, reason) with reason 'closed' (the day or the
    time is no longer open) or 'over_capacity'. The bookings are kept either way; the supervisor
    sees them before confirming the change."""
    affected = []
    for start, count, override in booked:
        day = local(start).date()
        capacity = effective_capacity(schedule, override)
        if local(start) not in slot_starts(schedule, day):
            affected.append((start, count, capacity, "closed"))
        elif count > capacity:
            affected.append((start, count, capacity, "over_capacity"))
    return affected
