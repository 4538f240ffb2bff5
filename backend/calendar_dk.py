"""The Danish working-day calendar (pure functions, no I/O).

Public holidays (helligdage) are computed, not listed: the fixed ones (nytårsdag, juledag,
2. juledag) and those that move with Easter (skærtorsdag, langfredag, påskedag, 2. påskedag,
Kristi himmelfartsdag, pinsedag, 2. pinsedag; store bededag until 2023 — it was abolished as a
public holiday from 2024). Saturdays and Sundays are not working days.

Grundlovsdag (5 June), juleaftensdag (24 December) and nytårsaftensdag (31 December) are not
public holidays, but many workplaces close on them. Callers that close on such days pass them
as ``extra_closed`` (month, day) pairs; FSC does so with ``FSC_EXTRA_CLOSED`` by default.

Used by callback booking (FSC opening days) and, later, by delivery dates of orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache

MonthDay = tuple[int, int]

STORE_BEDEDAG_LAST_YEAR = 2023
"""Store bededag was a public holiday up to and including 2023."""

FSC_EXTRA_CLOSED: tuple[MonthDay, ...] = ((12, 24), (12, 31))
"""Days FSC keeps closed besides public holidays (a default; the supervisor can change it)."""


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def public_holidays(year: int) -> dict[dt.date, str]:
    """The Danish public holidays of ``year``: date -> Danish name."""
    easter = easter_sunday(year)

    def from_easter(days: int) -> dt.date:
        return easter + dt.timedelta(days=days)

    holidays = {
        dt.date(year, 1, 1): "Nytårsdag",
        from_easter(-3): "Skærtorsdag",
        from_easter(-2): "Langfredag",
        easter: "Påskedag",
        from_easter(1): "2. påskedag",
        from_easter(39): "Kristi himmelfartsdag",
        from_easter(49): "Pinsedag",
        from_easter(50): "2. pinsedag",
        dt.date(year, 12, 25): "Juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    if year <= STORE_BEDEDAG_LAST_YEAR:
        holidays[from_easter(26)] = "Store bededag"
    return holidays


def is_public_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)


def is_working_day(day: dt.date, extra_closed: Collection[MonthDay] = ()) -> bool:
    """Monday to Friday, not a public holiday and not one of the ``extra_closed`` (month, day) pairs."""
    return day.weekday() < 5 and not is_public_holiday(day) and (day.month, day.day) not in extra_closed


def add_working_days(day: dt.date, n: int, extra_closed: Collection[MonthDay] = ()) -> dt.date:
    """The ``n``-th working day after ``day`` (``n`` = 0: ``day`` itself if it is a working day,
    else the next one). Negative ``n`` counts backwards."""
    step = dt.timedelta(days=1 if n >= 0 else -1)
    if n == 0:
        while not is_working_day(day, extra_closed):
            day += step
        return day
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day, extra_closed):
            remaining -= 1
    return day


def working_days(start: dt.date, count: int, extra_closed: Collection[MonthDay] = ()) -> list[dt.date]:
    """The first ``count`` working days from ``start`` (inclusive)."""
    days = []
    day = start
    while len(days) < count:
        if is_working_day(day, extra_closed):
            days.append(day)
        day += dt.timedelta(days=1)
    return days
