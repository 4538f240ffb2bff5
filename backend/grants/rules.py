"""Grant balance rules (pure functions, no I/O).

A grant allows ``quantity_per_period`` pieces in each period of ``period_days`` days. Periods are
counted from the grant's ``valid_from`` date: period k is
``[valid_from + k * period_days, valid_from + (k + 1) * period_days)``.
What was ordered in the current period (cancelled orders excluded by the caller) is "used";
"left" is what may still be ordered in this period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum

import msgspec

EXPIRY_WARNING_DAYS = 30


class GrantStatus(str, Enum):
    ACTIVE = "active"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


class GrantTerms(msgspec.Struct, frozen=True):
    quantity_per_period: int
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None = None  # inclusive; None = until further notice


class Balance(msgspec.Struct, frozen=True):
    status: GrantStatus
    granted: int                        # pieces per period
    used: int                           # pieces ordered in the current period
    left: int                           # pieces that may still be ordered in the current period
    period_start: dt.date | None        # None unless active
    next_period_start: dt.date | None   # when the balance is renewed; None if the grant ends first
    expires_on: dt.date | None
    expires_soon: bool

    def packs_left(self, pack_size: int) -> int:
        """Whole packs that fit in what is left."""
        return self.left // pack_size


def grant_status(terms: GrantTerms, today: dt.date) -> GrantStatus:
    if today < terms.valid_from:
        return GrantStatus.NOT_YET_VALID
    if terms.valid_to is not None and today > terms.valid_to:
        return GrantStatus.EXPIRED
    return GrantStatus.ACTIVE


def period_bounds(terms: GrantTerms, day: dt.date) -> tuple[dt.date, dt.date]:
    """Start (inclusive) and end (exclusive) of the period that contains ``day`` (day >= valid_from)."""
    index = (day - terms.valid_from).days // terms.period_days
    start = terms.valid_from + dt.timedelta(days=index * terms.period_days)
    return start, start + dt.timedelta(days=terms.period_days)


def balance(terms: GrantTerms, usage: Iterable[tuple[dt.date, int]], today: dt.date) -> Balance:
    """Balance of a grant on ``today`` given (order date, pieces) of its non-cancelled order lines."""
    status = grant_status(terms, today)
    expires_soon = (
        terms.valid_to is not None
        and status is not GrantStatus.EXPIRED
        and (terms.valid_to - today).days <= EXPIRY_WARNING_DAYS
    )
    if status is not GrantStatus.ACTIVE:
        return Balance(status, terms.quantity_per_period, 0, 0, None,
                       terms.valid_from if status is GrantStatus.NOT_YET_VALID else None,
                       terms.valid_to, expires_soon)
    start, end = period_bounds(terms, today)
    used = sum(pieces for day, pieces in usage if start <= day < end)
    next_start: dt.date | None = end
    if terms.valid_to is not None and end > terms.valid_to:
        next_start = None
    return Balance(
        status=status,
        granted=terms.quantity_per_period,
        used=used,
        left=max(0, terms.quantity_per_period - used),
        period_start=start,
        next_period_start=next_start,
        expires_on=terms.valid_to,
        expires_soon=expires_soon,
    )
