"""Grant balance rule: periods, used/left, expiry, not-yet-valid."""

import datetime as dt

from backend.grants.rules import GrantStatus, GrantTerms, balance, period_bounds

D = dt.date


def terms(**kw):
    base = {"quantity_per_period": 90, "period_days": 30, "valid_from": D(2026, 1, 1), "valid_to": None}
    return GrantTerms(**(base | kw))


def test_period_bounds_are_counted_from_valid_from():
    t = terms()
    assert period_bounds(t, D(2026, 1, 1)) == (D(2026, 1, 1), D(2026, 1, 31))
    assert period_bounds(t, D(2026, 1, 30)) == (D(2026, 1, 1), D(2026, 1, 31))
    assert period_bounds(t, D(2026, 1, 31)) == (D(2026, 1, 31), D(2026, 3, 2))


def test_only_orders_in_the_current_period_count():
    usage = [(D(2026, 1, 30), 60), (D(2026, 1, 31), 30), (D(2026, 2, 10), 20)]
    b = balance(terms(), usage, D(2026, 2, 15))
    assert b.status is GrantStatus.ACTIVE
    assert (b.granted, b.used, b.left) == (90, 50, 40)
    assert b.period_start == D(2026, 1, 31)
    assert b.next_period_start == D(2026, 3, 2)


def test_left_never_goes_below_zero():
    b = balance(terms(), [(D(2026, 1, 2), 120)], D(2026, 1, 3))
    assert b.used == 120 and b.left == 0


def test_packs_left_rounds_down():
    b = balance(terms(), [(D(2026, 1, 2), 35)], D(2026, 1, 3))
    assert b.left == 55
    assert b.packs_left(30) == 1
    assert b.packs_left(10) == 5


def test_not_yet_valid_and_expired():
    t = terms(valid_from=D(2026, 3, 1), valid_to=D(2026, 6, 30))
    before = balance(t, [], D(2026, 2, 1))
    assert before.status is GrantStatus.NOT_YET_VALID and before.left == 0
    assert before.next_period_start == D(2026, 3, 1)
    after = balance(t, [], D(2026, 7, 1))
    assert after.status is GrantStatus.EXPIRED and after.left == 0
    last_day = balance(t, [], D(2026, 6, 30))
    assert last_day.status is GrantStatus.ACTIVE


def test_no_next_period_when_the_grant_ends_first_and_expiry_warning():
    t = terms(valid_to=D(2026, 1, 20))
    b = balance(t, [], D(2026, 1, 5))
    assert b.next_period_start is None
    assert b.expires_soon
    assert not balance(terms(valid_to=D(2026, 12, 31)), [], D(2026, 1, 5)).expires_soon
