"""The Danish working-day calendar: Easter, public holidays, working days."""

import datetime as dt

import pytest

from backend.calendar_dk import (
    FSC_EXTRA_CLOSED,
    add_working_days,
    easter_sunday,
    is_public_holiday,
    is_working_day,
    public_holidays,
    working_days,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(1818, D(1818, 3, 22)), (1943, D(1943, 4, 25)), (2000, D(2000, 4, 23)), (2019, D(2019, 4, 21)),
     (2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)),
     (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_public_holidays_2025():
    assert public_holidays(2025) == {
        D(2025, 1, 1): "Nytårsdag",
        D(2025, 4, 17): "Skærtorsdag",
        D(2025, 4, 18): "Langfredag",
        D(2025, 4, 20): "Påskedag",
        D(2025, 4, 21): "2. påskedag",
        D(2025, 5, 29): "Kristi himmelfartsdag",
        D(2025, 6, 8): "Pinsedag",
        D(2025, 6, 9): "2. pinsedag",
        D(2025, 12, 25): "Juledag",
        D(2025, 12, 26): "2. juledag",
    }


def test_store_bededag_until_2023_only():
    assert public_holidays(2023)[D(2023, 5, 5)] == "Store bededag"
    assert len(public_holidays(2023)) == 11
    assert D(2024, 4, 26) not in public_holidays(2024)
    assert is_working_day(D(2024, 4, 26))  # the Friday that used to be store bededag
    assert len(public_holidays(2024)) == 10


def test_weekends_and_holidays_are_not_working_days():
    assert is_working_day(D(2026, 3, 2))           # a Monday
    assert not is_working_day(D(2026, 3, 7))       # Saturday
    assert not is_working_day(D(2026, 3, 8))       # Sunday
    assert not is_working_day(D(2026, 4, 2))       # skærtorsdag
    assert not is_working_day(D(2026, 5, 14))      # Kristi himmelfartsdag
    assert not is_working_day(D(2026, 5, 25))      # 2. pinsedag
    assert is_public_holiday(D(2026, 12, 25)) and not is_public_holiday(D(2026, 12, 24))


def test_extra_closed_days_are_configurable():
    christmas_eve = D(2026, 12, 24)                # a Thursday
    assert is_working_day(christmas_eve)
    assert not is_working_day(christmas_eve, FSC_EXTRA_CLOSED)
    assert not is_working_day(D(2026, 12, 31), FSC_EXTRA_CLOSED)
    assert not is_working_day(D(2026, 6, 5), [(6, 5)])  # grundlovsdag, when a caller closes on it


def test_add_working_days_skips_weekends_and_easter():
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)       # Friday + 1 -> Monday
    assert add_working_days(D(2026, 3, 31), 2) == D(2026, 4, 7)      # over skærtorsdag .. 2. påskedag
    assert add_working_days(D(2026, 4, 7), -1) == D(2026, 4, 1)
    assert add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 9)       # Saturday, 0 -> next working day
    assert add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)
    assert add_working_days(D(2026, 12, 23), 1, FSC_EXTRA_CLOSED) == D(2026, 12, 28)
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)


def test_working_days_lists_the_next_open_days():
    days = working_days(D(2026, 12, 21), 6, FSC_EXTRA_CLOSED)
    assert days == [D(2026, 12, 21), D(2026, 12, 22), D(2026, 12, 23), D(2026, 12, 28), D(2026, 12, 29),
                    D(2026, 12, 30)]
    assert working_days(D(2027, 1, 1), 1) == [D(2027, 1, 4)]          # nytårsdag is a Friday
