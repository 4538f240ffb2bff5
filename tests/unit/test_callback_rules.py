"""Callback rules: slots within opening hours, closed days, booking window, phones, outcomes."""

import datetime as dt

import pytest

from backend.callbacks.rules import (
    BOOKING_DAYS,
    TZ,
    Schedule,
    Slot,
    affected_bookings,
    after_no_answer,
    booking_days,
    may_book_another,
    normalise_phone,
    parse_closed_days,
    parse_slot,
    reminder_delay,
    slot_problem,
    slot_starts,
    slot_value,
)

T = dt.time
WEEKDAYS = (T(8), T(15))
DEFAULT = Schedule(hours=(WEEKDAYS,) * 4 + ((T(8), T(14)), None, None), slot_minutes=30, capacity=2,
                   closed_days=((12, 24), (12, 31)))


def at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_slots_fill_the_opening_hours():
    monday = dt.date(2026, 3, 2)
    starts = slot_starts(DEFAULT, monday)
    assert starts[0] == at(2026, 3, 2, 8) and starts[-1] == at(2026, 3, 2, 14, 30)
    assert len(starts) == 14
    assert len(slot_starts(DEFAULT, dt.date(2026, 3, 6))) == 12          # Friday closes at 14
    assert slot_starts(DEFAULT, dt.date(2026, 3, 7)) == []                 # Saturday
    assert slot_starts(DEFAULT, dt.date(2026, 4, 3)) == []                 # langfredag
    assert slot_starts(DEFAULT, dt.date(2026, 12, 24)) == []               # closed for FSC
    hourly = Schedule(hours=DEFAULT.hours, slot_minutes=60, capacity=1)
    assert [s.hour for s in slot_starts(hourly, monday)] == list(range(8, 15))
    assert len(slot_starts(hourly, dt.date(2026, 12, 24))) == 7            # not closed without the setting


def test_slots_are_local_time_across_daylight_saving():
    winter, summer = slot_starts(DEFAULT, dt.date(2026, 3, 27))[0], slot_starts(DEFAULT, dt.date(2026, 3, 30))[0]
    assert winter.utcoffset() == dt.timedelta(hours=1) and summer.utcoffset() == dt.timedelta(hours=2)
    assert (winter.hour, summer.hour) == (8, 8)


def test_booking_days_are_the_next_ten_open_days():
    now = at(2026, 3, 31, 9)                                               # Tuesday before Easter
    days = booking_days(DEFAULT, now)
    assert len(days) == BOOKING_DAYS
    assert days[:3] == [dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 4, 7)]
    assert all(d.weekday() < 5 for d in days)
    # after the last slot of the day, today is not offered
    assert booking_days(DEFAULT, at(2026, 3, 31, 14, 25))[0] == dt.date(2026, 4, 1)


def test_slot_problems():
    now = at(2026, 3, 2, 10, 5)                                            # Monday
    assert slot_problem(DEFAULT, at(2026, 3, 2, 11), now) is None
    assert slot_problem(DEFAULT, at(2026, 3, 2, 10), now) == "past"
    assert slot_problem(DEFAULT, at(2026, 3, 2, 10, 10), now) == "past"      # less than 10 minutes' notice
    assert slot_problem(DEFAULT, at(2026, 2, 27, 11), now) == "past"
    assert slot_problem(DEFAULT, at(2026, 3, 7, 10), now) == "closed"        # Saturday
    assert slot_problem(DEFAULT, at(2026, 4, 6, 10), now) == "closed"        # 2. påskedag
    assert slot_problem(DEFAULT, at(2026, 3, 2, 15), now) == "not_a_slot"    # closing time
    assert slot_problem(DEFAULT, at(2026, 3, 2, 11, 15), now) == "not_a_slot"
    assert slot_problem(DEFAULT, at(2026, 3, 6, 14), now) == "not_a_slot"    # Friday closes at 14
    assert slot_problem(DEFAULT, at(2026, 3, 13, 13, 30), now) is None       # 10th open day, last slot
    assert slot_problem(DEFAULT, at(2026, 3, 16, 9), now) == "too_far"       # 11th


def test_slot_values_round_trip():
    start = at(2026, 3, 2, 8, 30)
    assert slot_value(start) == "2026-03-02T08:30:00+01:00"
    assert parse_slot(slot_value(start)) == start
    assert parse_slot(slot_value(start.astimezone(dt.timezone.utc))) == start
    for bad in ("", "tomorrow", "2026-03-02T08:30:00", "2026-13-02T08:30:00+01:00"):
        assert parse_slot(bad) is None


def test_capacity_and_free_places():
    assert Slot(at(2026, 3, 2, 8), 2, 1).free == 1
    assert Slot(at(2026, 3, 2, 8), 2, 3).free == 0                         # overbooked after a capacity cut


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("12345678", None), ("28146307", "+45 28 14 63 07"), ("28 14 63 07", "+45 28 14 63 07"),
     ("+45 28 14 63 07", "+45 28 14 63 07"), ("+4528146307", "+45 28 14 63 07"),
     ("0045 28146307", "+45 28 14 63 07"), ("28-14-63-07", "+45 28 14 63 07"), (" 91 23 45 67 ", "+45 91 23 45 67"),
     ("2814630", None), ("281463077", None), ("+46 28 14 63 07", None), ("02814630", None),
     ("abcdefgh", None), ("", None), ("+45", None), ("45 28146307", None), ("+45 +45 28146307", None)],
)
def test_danish_phone_numbers(raw, normalised):
    assert normalise_phone(raw) == normalised


def test_at_most_two_open_callbacks():
    assert may_book_another(0) and may_book_another(1)
    assert not may_book_another(2)


def test_no_answer_goes_back_to_the_queue_until_the_third_try():
    assert after_no_answer(0) == ("no_answer", 1)
    assert after_no_answer(1) == ("no_answer", 2)
    assert after_no_answer(2) == ("failed", 3)


def test_reminder_thirty_minutes_before():
    assert reminder_delay(at(2026, 3, 2, 11), at(2026, 3, 2, 9)) == dt.timedelta(minutes=90)
    assert reminder_delay(at(2026, 3, 2, 11), at(2026, 3, 2, 10, 40)) is None


def test_closed_days_parse():
    assert parse_closed_days(["12-24", "06-05", "12-31", "13-01", "xx", "02-30", "12-24"]) == (
        (6, 5), (12, 24), (12, 31))


def test_capacity_changes_report_the_bookings_they_would_not_fit():
    friday_late = at(2026, 3, 6, 13, 30)
    monday = at(2026, 3, 9, 10)
    tuesday = at(2026, 3, 10, 10)
    shorter_friday = Schedule(hours=DEFAULT.hours[:4] + ((T(8), T(13)), None, None), slot_minutes=30, capacity=1)
    booked = [(friday_late, 1, None), (monday, 2, None), (tuesday, 2, 3)]
    assert affected_bookings(shorter_friday, booked) == [
        (friday_late, 1, 1, "closed"), (monday, 2, 1, "over_capacity")]
    assert affected_bookings(DEFAULT, booked) == []
    hourly = Schedule(hours=DEFAULT.hours, slot_minutes=60, capacity=2)
    assert affected_bookings(hourly, [(at(2026, 3, 9, 10, 30), 1, None)])[0][3] == "closed"
