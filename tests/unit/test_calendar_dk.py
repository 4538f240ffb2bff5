"""Danish public holidays and working days."""

import datetime as dt

from backend.calendar_dk import add_working_days, easter_sunday, is_working_day, next_working_days, public_holidays

D = dt.date


def test_easter():
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [D(2024, 3, 31), D(2025, 4, 20), D(2026, 4, 5), D(2027, 3, 28)]


def test_holidays_2026():
    assert public_holidays(2026) == {
        D(2026, 1, 1), D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 5), D(2026, 4, 6), D(2026, 5, 14),
        D(2026, 5, 24), D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26),
    }
    assert D(2023, 5, 5) in public_holidays(2023)  # store bededag until 2023
    assert D(2024, 4, 26) not in public_holidays(2024)


def test_working_days():
    assert not is_working_day(D(2026, 11, 21))  # Saturday
    assert is_working_day(D(2026, 11, 23))
    assert add_working_days(D(2026, 11, 20), 3) == D(2026, 11, 25)  # Friday -> Wednesday
    assert add_working_days(D(2026, 12, 23), 3) == D(2026, 12, 29)  # over Christmas
    assert add_working_days(D(2026, 4, 1), 1) == D(2026, 4, 7)      # over Easter
    assert next_working_days(D(2026, 12, 24), 3) == [D(2026, 12, 24), D(2026, 12, 28), D(2026, 12, 29)]
    assert not is_working_day(D(2026, 12, 24), frozenset({D(2026, 12, 24)}))
