"""Ordering rules: supply horizon, new stoma, allocation over periods, next date, municipality gate."""

import datetime as dt

import pytest

from backend.grants.rules import (
    GrantTerms,
    Reason,
    RuleConfig,
    allocate,
    is_new_stoma,
    municipality_gate,
    orderable,
    rule_config,
    supply_horizon_days,
    usual_packs,
)

D = dt.date
TERMS = GrantTerms(quantity_per_period=90, period_days=30, valid_from=D(2026, 1, 1))


def test_orderable_spans_the_horizon_periods():
    today = D(2026, 1, 15)
    limit = orderable(TERMS, {}, today, 90, 30)
    assert (limit.pieces, limit.packs, limit.reason) == (270, 9, Reason.OK)
    assert orderable(TERMS, {}, today, 30, 30).packs == 3


def test_allocation_fills_the_current_period_first():
    today = D(2026, 1, 15)
    allocated = {D(2026, 1, 1): 60}
    assert allocate(TERMS, allocated, today, 90, 150) == [(D(2026, 1, 1), 30), (D(2026, 1, 31), 90), (D(2026, 3, 2), 30)]
    with pytest.raises(ValueError):
        allocate(TERMS, allocated, today, 90, 211)


def test_quota_used_says_when_more_can_be_ordered():
    today = D(2026, 1, 15)
    full = {D(2026, 1, 1): 90, D(2026, 1, 31): 90, D(2026, 3, 2): 90}
    limit = orderable(TERMS, full, today, 90, 30)
    assert limit.packs == 0 and limit.reason is Reason.QUOTA_USED
    assert limit.date == D(2026, 1, 31)  # then the window gains the period starting 1 April
    one_month = orderable(TERMS, {D(2026, 1, 1): 90}, today, 30, 30)
    assert one_month.reason is Reason.QUOTA_USED and one_month.date == D(2026, 1, 31)


def test_partial_pack_does_not_count():
    limit = orderable(GrantTerms(20, 30, D(2026, 1, 1)), {D(2026, 1, 1): 5}, D(2026, 1, 2), 30, 10)
    assert (limit.pieces, limit.packs) == (15, 1)


def test_grant_end_limits_the_window_and_reasons():
    ending = GrantTerms(90, 30, D(2026, 1, 1), valid_to=D(2026, 2, 10))
    assert orderable(ending, {}, D(2026, 1, 15), 90, 30).packs == 6  # periods 1 Jan and 31 Jan only
    used = {D(2026, 1, 1): 90, D(2026, 1, 31): 90}
    limit = orderable(ending, used, D(2026, 1, 15), 90, 30)
    assert limit.reason is Reason.QUOTA_USED and limit.date is None
    assert orderable(ending, {}, D(2026, 2, 11), 90, 30).reason is Reason.EXPIRED
    future = GrantTerms(90, 30, D(2026, 3, 1))
    limit = orderable(future, {}, D(2026, 2, 1), 90, 30)
    assert (limit.reason, limit.date) == (Reason.NOT_YET_VALID, D(2026, 3, 1))


def test_new_stoma_rule_and_config():
    config = RuleConfig()
    assert is_new_stoma(D(2026, 1, 20), D(2026, 7, 19), config)
    assert not is_new_stoma(D(2026, 1, 20), D(2026, 7, 20), config)
    assert supply_horizon_days(D(2026, 1, 20), D(2026, 3, 1), config) == 30
    assert supply_horizon_days(None, D(2026, 3, 1), config) == 90
    custom = rule_config({"supply_days": 60, "new_stoma_months": 3})
    assert (custom.supply_days, custom.new_stoma_months, custom.delivery_working_days) == (60, 3, 3)


def test_usual_packs():
    assert usual_packs(90, 30, None, 9) == 3
    assert usual_packs(90, 30, 5, 9) == 5
    assert usual_packs(90, 30, 5, 2) == 2
    assert usual_packs(10, 30, None, 1) == 1


def test_municipality_gate():
    today = D(2026, 5, 1)
    assert municipality_gate(True, D(2024, 4, 1), today) == (Reason.OK, None)
    assert municipality_gate(True, D(2026, 6, 1), today) == (Reason.NOT_LIVE, D(2026, 6, 1))
    assert municipality_gate(False, None, today) == (Reason.NOT_PARTICIPATING, None)
