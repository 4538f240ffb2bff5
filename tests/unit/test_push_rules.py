"""Reminder rules: supply estimate, once per grant period, 30-day expiry warning, quiet hours 21–08."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.grants.rules import GrantTerms
from backend.push.notices import NoticeType, build
from backend.push.rules import (
    COPENHAGEN,
    EXPIRING,
    REORDER,
    GrantSupply,
    due_reminders,
    expiry_warning,
    is_quiet,
    next_send_time,
    reorder_reminder,
    supply_runs_out,
)
from backend.push.sender import Outcome, classify, retry_after_seconds

START = dt.date(2026, 1, 1)
TERMS = GrantTerms(quantity_per_period=90, period_days=30, valid_from=START)   # 3 pieces a day


def supply(deliveries, terms=TERMS, sent=()):
    return GrantSupply(citizen_id=1, grant_id=7, terms=terms, deliveries=tuple(deliveries), sent=frozenset(sent))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), COPENHAGEN)


def test_supply_runs_out_after_the_delivered_pieces_are_used():
    assert supply_runs_out(TERMS, []) is None
    assert supply_runs_out(TERMS, [(dt.date(2026, 1, 10), 90)]) == dt.date(2026, 2, 9)
    # A second delivery before the first runs out extends it; one after a gap starts afresh.
    assert supply_runs_out(TERMS, [(dt.date(2026, 1, 10), 90), (dt.date(2026, 2, 1), 90)]) == dt.date(2026, 3, 11)
    assert supply_runs_out(TERMS, [(dt.date(2026, 3, 1), 30), (dt.date(2026, 1, 10), 90)]) == dt.date(2026, 3, 11)


def test_reorder_reminder_is_due_seven_days_before_running_out():
    grant = supply([(dt.date(2026, 1, 10), 90)])            # runs out 9 Feb
    assert reorder_reminder(grant, dt.date(2026, 2, 1)) is None
    due = reorder_reminder(grant, dt.date(2026, 2, 2))
    assert due is not None and due.kind == REORDER
    assert due.period_start == dt.date(2026, 1, 31)          # the grant period of 2 Feb (periods from 1 Jan)
    # Still due (not yet sent) after running out, until it has been sent in this period.
    assert reorder_reminder(grant, dt.date(2026, 2, 20)).period_start == dt.date(2026, 1, 31)


def test_reorder_reminder_once_per_period():
    grant = supply([(dt.date(2026, 1, 10), 90)], sent={f"{REORDER}:2026-01-31"})
    assert reorder_reminder(grant, dt.date(2026, 2, 2)) is None
    assert reorder_reminder(grant, dt.date(2026, 3, 1)) is None   # last day of the period 31 Jan – 1 Mar
    # The next period is a new period: due again if the supply still was not renewed.
    assert reorder_reminder(grant, dt.date(2026, 3, 2)).period_start == dt.date(2026, 3, 2)


def test_an_order_on_its_way_postpones_the_reminder():
    grant = supply([(dt.date(2026, 1, 10), 90), (dt.date(2026, 2, 3), 90)])
    assert reorder_reminder(grant, dt.date(2026, 2, 4)) is None


def test_no_reorder_reminder_without_deliveries_or_outside_the_grant():
    assert reorder_reminder(supply([]), dt.date(2026, 2, 2)) is None
    ends = GrantTerms(90, 30, START, valid_to=dt.date(2026, 2, 5))
    assert reorder_reminder(supply([(dt.date(2026, 1, 10), 90)], ends), dt.date(2026, 2, 2)) is None
    assert reorder_reminder(supply([(dt.date(2026, 1, 10), 90)]), dt.date(2025, 12, 31)) is None


def test_expiry_warning_30_days_before_the_last_day_once():
    terms = GrantTerms(90, 30, START, valid_to=dt.date(2026, 6, 30))
    assert expiry_warning(supply([], terms), dt.date(2026, 5, 30)) is None        # 31 days before
    warning = expiry_warning(supply([], terms), dt.date(2026, 5, 31))             # 30 days before
    assert warning is not None and warning.kind == EXPIRING and warning.date == dt.date(2026, 6, 30)
    assert expiry_warning(supply([], terms), dt.date(2026, 6, 30)) is not None    # the last day itself
    assert expiry_warning(supply([], terms), dt.date(2026, 7, 1)) is None         # expired
    assert expiry_warning(supply([], terms, sent={f"{EXPIRING}:2026-06-30"}), dt.date(2026, 6, 1)) is None
    # Extended grant: a new end date is a new warning.
    longer = GrantTerms(90, 30, START, valid_to=dt.date(2026, 12, 31))
    assert expiry_warning(supply([], longer, sent={f"{EXPIRING}:2026-06-30"}), dt.date(2026, 12, 1)) is not None
    assert expiry_warning(supply([]), dt.date(2026, 6, 1)) is None                # open-ended grant


@pytest.mark.parametrize(("hour", "minute", "quiet"), [
    (7, 59, True), (8, 0, False), (12, 0, False), (20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True),
])
def test_quiet_hours_are_danish_time(hour, minute, quiet):
    assert is_quiet(at(dt.date(2026, 7, 1), hour, minute)) is quiet
    # The same instant in UTC (summer: UTC+2) gives the same answer.
    assert is_quiet(at(dt.date(2026, 7, 1), hour, minute).astimezone(dt.UTC)) is quiet


def test_next_send_time_waits_for_eight_in_the_morning():
    day = dt.date(2026, 3, 28)  # the night before summer time starts
    assert next_send_time(at(day, 10)) == at(day, 10)
    assert next_send_time(at(day, 22)) == at(day + dt.timedelta(days=1), 8)
    assert next_send_time(at(day, 6)) == at(day, 8)
    assert next_send_time(at(day, 22)).astimezone(dt.UTC).hour == 6   # 08:00 CEST on 29 March


def test_due_reminders_none_in_quiet_hours():
    grants = [supply([(dt.date(2026, 1, 10), 90)], GrantTerms(90, 30, START, valid_to=dt.date(2026, 3, 1)))]
    assert due_reminders(grants, at(dt.date(2026, 2, 2), 21, 30)) == []
    day = due_reminders(grants, at(dt.date(2026, 2, 2), 9))
    assert [r.kind for r in day] == [REORDER, EXPIRING]   # runs out 9 Feb; the grant ends 1 Mar


def test_notice_payload_in_the_subscribers_language_and_small():
    da = build(NoticeType.GRANT_EXPIRING, "da", url="/", tag="grant-7", values={"date": dt.date(2026, 6, 30)})
    en = build(NoticeType.GRANT_EXPIRING, "en", url="/", tag="grant-7", values={"date": dt.date(2026, 6, 30)})
    assert "30. juni 2026" in da.decode() and "June 30, 2026" in en.decode()
    assert len(da) < 4096 - 103  # within one aes128gcm record of the 4 KB push limit


def test_push_service_answers_are_classified():
    assert [classify(s) for s in (201, 404, 410, 429, 500, 503, 400, 403, 413)] == [
        Outcome.SENT, Outcome.GONE, Outcome.GONE, Outcome.RETRY, Outcome.RETRY, Outcome.RETRY,
        Outcome.FAILED, Outcome.FAILED, Outcome.FAILED]
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT", now=dt.datetime(2026, 10, 21, 7, 27, tzinfo=dt.UTC)
                               .timestamp()) == 60
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
