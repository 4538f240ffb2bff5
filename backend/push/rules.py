"""Reminder rules (pure functions, no I/O): when to say "time to reorder" and "grant expiring".

Supply model: a grant of Q pieces per P days means the citizen uses Q/P pieces a day. Every
non-cancelled order line is supply that starts on its delivery day (or when the previous supply
runs out, if later); so the supply runs out on the last line's start + pieces / (Q/P) days.
The reminder is due ``REORDER_LEAD_DAYS`` before that (delivery takes up to 3 working days, plus
a weekend and a margin). Each reminder is sent once per grant period (``reminder_sent``), never
in quiet hours (21:00–08:00 Danish time), and the expiry warning once per end date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import msgspec

from backend.grants.rules import EXPIRY_WARNING_DAYS, GrantStatus, GrantTerms, grant_status, period_bounds

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
REORDER_LEAD_DAYS = 7
QUIET_FROM = dt.time(21, 0)   # no reminders from 21:00 …
QUIET_UNTIL = dt.time(8, 0)   # … until 08:00, Danish time
REORDER = "time_to_reorder"
EXPIRING = "grant_expiring"


class Reminder(msgspec.Struct, frozen=True):
    citizen_id: int
    grant_id: int
    kind: str                  # REORDER or EXPIRING
    period_start: dt.date      # the once-per key: the grant period (reorder) or the end date (expiring)
    date: dt.date | None = None  # expiring: the grant's last day


class GrantSupply(msgspec.Struct, frozen=True):
    citizen_id: int
    grant_id: int
    terms: GrantTerms
    deliveries: tuple[tuple[dt.date, int], ...]   # (delivery day, pieces), any order
    sent: frozenset[str] = frozenset()           # "kind:period_start" already sent


def is_quiet(moment: dt.datetime) -> bool:
    """Quiet hours: 21:00 to 08:00 in Denmark (``moment`` must be timezone-aware)."""
    local = moment.astimezone(COPENHAGEN).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_send_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` itself outside quiet hours, else the next 08:00 Danish time."""
    if not is_quiet(moment):
        return moment
    local = moment.astimezone(COPENHAGEN)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_UNTIL, COPENHAGEN)


def supply_runs_out(terms: GrantTerms, deliveries: Iterable[tuple[dt.date, int]]) -> dt.date | None:
    """The day the delivered (and ordered) supply is expected to be used up; None without deliveries."""
    per_day = terms.quantity_per_period / terms.period_days
    covered_until: dt.date | None = None
    for day, pieces in sorted(deliveries):
        start = day if covered_until is None or covered_until < day else covered_until
        covered_until = start + dt.timedelta(days=int(pieces / per_day))
    return covered_until


def reorder_reminder(supply: GrantSupply, today: dt.date) -> Reminder | None:
    """"Time to reorder" when the supply runs out within the lead time, once per grant period."""
    terms = supply.terms
    if grant_status(terms, today) is not GrantStatus.ACTIVE:
        return None
    runs_out = supply_runs_out(terms, supply.deliveries)
    if runs_out is None or today < runs_out - dt.timedelta(days=REORDER_LEAD_DAYS):
        return None
    if terms.valid_to is not None and runs_out > terms.valid_to:
        return None  # the grant ends first: the expiry warning says what to do
    period_start, _end = period_bounds(terms, today)
    if f"{REORDER}:{period_start.isoformat()}" in supply.sent:
        return None
    return Reminder(supply.citizen_id, supply.grant_id, REORDER, period_start)


def expiry_warning(supply: GrantSupply, today: dt.date) -> Reminder | None:
    """"Grant expiring" from ``EXPIRY_WARNING_DAYS`` (30) days before the last day, once per end date."""
    valid_to = supply.terms.valid_to
    if valid_to is None or grant_status(supply.terms, today) is not GrantStatus.ACTIVE:
        return None
    if (valid_to - today).days > EXPIRY_WARNING_DAYS:
        return None
    if f"{EXPIRING}:{valid_to.isoformat()}" in supply.sent:
        return None
    return Reminder(supply.citizen_id, supply.grant_id, EXPIRING, valid_to, valid_to)


def due_reminders(supplies: Iterable[GrantSupply], now: dt.datetime) -> list[Reminder]:
    """Every reminder due at ``now`` (none during quiet hours)."""
    if is_quiet(now):
        return []
    today = now.astimezone(COPENHAGEN).date()
    due = []
    for supply in supplies:
        for rule in (reorder_reminder, expiry_warning):
            reminder = rule(supply, today)
            if reminder is not None:
                due.append(reminder)
    return due
