"""Danish public holidays and working days (pure functions).

Used for expected delivery dates ("within 3 working days") and opening days. Store bededag
(the 4th Friday after Easter) was abolished as a public holiday from 2024.
"""

from __future__ import annotations

import datetime as dt
from functools import cache


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    offsets = [-3, -2, 0, 1, 39, 49, 50]  # skærtorsdag … 2. pinsedag
    if year < 2024:
        offsets.append(26)  # store bededag
    days = {easter + dt.timedelta(days=offset) for offset in offsets}
    days |= {dt.date(year, 1, 1), dt.date(year, 12, 25), dt.date(year, 12, 26)}
    return frozenset(days)


def is_working_day(day: dt.date, extra_closed: frozenset[dt.date] = frozenset()) -> bool:
    """Monday to Friday and not a public holiday (nor one of ``extra_closed``)."""
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in extra_closed


def add_working_days(day: dt.date, count: int, extra_closed: frozenset[dt.date] = frozenset()) -> dt.date:
    """The date ``count`` working days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = count
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, extra_closed):
            remaining -= 1
    return current


def next_working_days(start: dt.date, count: int, extra_closed: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    """The first ``count`` working days on or after ``start``."""
    days = []
    current = start
    while len(days) < count:
        if is_working_day(current, extra_closed):
            days.append(current)
        current += dt.timedelta(days=1)
    return days
