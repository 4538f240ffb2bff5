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


# ---------------------------------------------------------------------------------------------
# Ordering: how much may be ordered now, and which periods an order draws on.
# ---------------------------------------------------------------------------------------------


class RuleConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Per-authority ordering rules (authority.rules jsonb overrides these defaults)."""

    new_stoma_months: int = 6          # a stoma younger than this is "new"
    new_stoma_supply_days: int = 30    # a new-stoma citizen may order about 1 month at a time
    supply_days: int = 90              # everyone else up to 3 months at a time
    delivery_working_days: int = 3     # stoma products are urgent: delivered within 3 working days


def rule_config(overrides: dict | None) -> RuleConfig:
    """Defaults merged with an authority's overrides (unknown keys are a configuration error)."""
    return msgspec.convert(overrides or {}, RuleConfig)


def is_new_stoma(stoma_since: dt.date | None, today: dt.date, config: RuleConfig) -> bool:
    if stoma_since is None:
        return False
    months = (today.year - stoma_since.year) * 12 + today.month - stoma_since.month
    if today.day < stoma_since.day:
        months -= 1
    return months < config.new_stoma_months


def supply_horizon_days(stoma_since: dt.date | None, today: dt.date, config: RuleConfig) -> int:
    return config.new_stoma_supply_days if is_new_stoma(stoma_since, today, config) else config.supply_days


class Reason(str, Enum):
    """Why nothing (or less) can be ordered; each has a plain-language text in the UI."""

    OK = "ok"
    QUOTA_USED = "quota_used"              # ordered what the grant allows for now; date = next date
    NOT_YET_VALID = "not_yet_valid"        # date = valid_from
    EXPIRED = "expired"                    # date = valid_to
    NOT_LIVE = "not_live"                  # municipality not live yet; date = go-live
    NOT_PARTICIPATING = "not_participating"


class Orderable(msgspec.Struct, frozen=True):
    pieces: int            # pieces that may be ordered now
    packs: int             # whole packs that may be ordered now
    reason: Reason
    date: dt.date | None   # when it changes (next date more can be ordered, start, end, go-live)


def _periods(terms: GrantTerms, first_index: int, count: int) -> list[dt.date]:
    """Starts of ``count`` periods from ``first_index`` that begin on or before the grant's end."""
    starts = []
    for index in range(first_index, first_index + count):
        start = terms.valid_from + dt.timedelta(days=index * terms.period_days)
        if terms.valid_to is not None and start > terms.valid_to:
            break
        starts.append(start)
    return starts


def _window_remaining(terms: GrantTerms, allocated: dict[dt.date, int], first_index: int, count: int) -> dict[dt.date, int]:
    return {start: max(0, terms.quantity_per_period - allocated.get(start, 0))
            for start in _periods(terms, first_index, count)}


def horizon_periods(terms: GrantTerms, horizon_days: int) -> int:
    """How many periods (the current one included) one order may draw on."""
    return max(1, horizon_days // terms.period_days)


def orderable(
    terms: GrantTerms, allocated: dict[dt.date, int], today: dt.date, horizon_days: int, pack_size: int
) -> Orderable:
    """What may be ordered now: the rest of this period plus the next periods within the horizon."""
    status = grant_status(terms, today)
    if status is GrantStatus.NOT_YET_VALID:
        return Orderable(0, 0, Reason.NOT_YET_VALID, terms.valid_from)
    if status is GrantStatus.EXPIRED:
        return Orderable(0, 0, Reason.EXPIRED, terms.valid_to)
    count = horizon_periods(terms, horizon_days)
    current = (today - terms.valid_from).days // terms.period_days
    pieces = sum(_window_remaining(terms, allocated, current, count).values())
    packs = pieces // pack_size
    if packs > 0:
        return Orderable(pieces, packs, Reason.OK, None)
    # Find the first later period from which at least one pack fits again.
    for index in range(current + 1, current + count + 2):
        window = _window_remaining(terms, allocated, index, count)
        if not window:
            break  # the grant ends before that period
        if sum(window.values()) >= pack_size:
            return Orderable(pieces, 0, Reason.QUOTA_USED, min(window))
    return Orderable(pieces, 0, Reason.QUOTA_USED, None)


def allocate(
    terms: GrantTerms, allocated: dict[dt.date, int], today: dt.date, horizon_days: int, pieces: int
) -> list[tuple[dt.date, int]]:
    """Split ``pieces`` over the current and following periods (oldest first); ValueError if too many."""
    count = horizon_periods(terms, horizon_days)
    current = (today - terms.valid_from).days // terms.period_days
    result = []
    left = pieces
    for start, remaining in _window_remaining(terms, allocated, current, count).items():
        take = min(left, remaining)
        if take:
            result.append((start, take))
            left -= take
    if left:
        raise ValueError("more than the grant allows now")
    return result


def municipality_gate(participates: bool, go_live: dt.date | None, today: dt.date) -> tuple[Reason, dt.date | None]:
    """Citizens may order here only once their municipality has gone live."""
    if not participates:
        return Reason.NOT_PARTICIPATING, None
    if go_live is None or go_live > today:
        return Reason.NOT_LIVE, go_live
    return Reason.OK, None


def usual_packs(quantity_per_period: int, pack_size: int, last_packs: int | None, limit_packs: int) -> int:
    """The one-tap quantity: what the last order had for this grant, else one period's quota in
    packs (at least one), never more than may be ordered now."""
    standard = max(1, quantity_per_period // pack_size)
    return min(last_packs if last_packs is not None else standard, limit_packs)
