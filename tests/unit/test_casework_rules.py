"""Product-change rules without a database: the service target in working days, approval dates."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.casework.models import Refused
from backend.casework.rules import check_effective_date, check_request, due_on, is_overdue, parse_date

D = dt.date


def test_the_service_target_counts_working_days_only():
    assert due_on(D(2026, 11, 27), 2) == D(2026, 12, 1)   # Friday + 2 working days: Tuesday
    assert due_on(D(2026, 4, 1), 2) == D(2026, 4, 8)      # Easter: Thursday, Friday and Monday are holidays
    assert not is_overdue(D(2026, 12, 1), D(2026, 12, 1)) and is_overdue(D(2026, 12, 1), D(2026, 12, 2))


@pytest.mark.parametrize("effective, code", [
    (D(2026, 11, 28), "date_in_past"), (D(2026, 1, 1), "date_in_past"), (D(2026, 12, 10), "date_before_grant"),
    (D(2026, 12, 5), "date_before_grant"), (D(2027, 2, 1), "date_after_grant"),
])
def test_an_approval_date_outside_the_grant_is_refused(effective, code):
    with pytest.raises(Refused) as refused:
        check_effective_date(effective, D(2026, 11, 29), D(2026, 12, 10), D(2027, 1, 31))
    assert refused.value.code == code


def test_an_approval_date_inside_the_grant_is_accepted():
    check_effective_date(D(2026, 11, 29), D(2026, 11, 29), D(2026, 1, 1), None)  # today, open-ended
    check_effective_date(D(2027, 1, 31), D(2026, 11, 29), D(2026, 1, 1), D(2027, 1, 31))  # its last day


@pytest.mark.parametrize("text, day", [("2026-12-03", D(2026, 12, 3)), ("03-12-2026", D(2026, 12, 3)),
                                       (" 3.12.2026 ", D(2026, 12, 3))])
def test_dates_are_read_as_danish_forms_write_them(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["", "31-02-2026", "tomorrow", "2026-13-01", "١٢-١٢-٢٠٢٦"])
def test_other_dates_are_refused(text):
    with pytest.raises(Refused):
        parse_date(text)


GRANT = {"product_id": 1, "area_code": "stomi", "valid_to": None}
PRODUCT = {"id": 2, "area_code": "stomi", "active": True}


@pytest.mark.parametrize("grant, wanted, reason, note, code", [
    (None, PRODUCT, "leaks", "", "unknown_grant"),
    ({**GRANT, "valid_to": D(2026, 11, 1)}, PRODUCT, "leaks", "", "grant_ended"),
    (GRANT, None, "leaks", "", "unknown_product"),
    (GRANT, {**PRODUCT, "active": False}, "leaks", "", "unknown_product"),
    (GRANT, {**PRODUCT, "id": 1}, "leaks", "", "same_product"),
    (GRANT, {**PRODUCT, "area_code": "urologi"}, "leaks", "", "other_area"),
    (GRANT, PRODUCT, "price", "", "bad_reason"),
    (GRANT, PRODUCT, "skin", "x" * 501, "note_too_long"),
])
def test_each_rule_of_a_request(grant, wanted, reason, note, code):
    with pytest.raises(Refused) as refused:
        check_request(grant, wanted, reason, note, D(2026, 11, 29))
    assert refused.value.code == code
    check_request(GRANT, PRODUCT, "skin", "x" * 500, D(2026, 11, 29))
