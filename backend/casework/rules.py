"""Product-change rules (pure functions, no I/O): what may be asked for, when an answer is due,
and from which day an approval may change the grant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.calendar_dk import add_working_days
from backend.casework.models import NOTE_MAX, REASONS, Refused

ENDING_SOON_DAYS = 30
"""The caseworker queue lists the authority's grants that end within this many days."""


def due_on(asked_on: dt.date, working_days: int) -> dt.date:
    """The last day of the service target: ``working_days`` working days after the day it was asked."""
    return add_working_days(asked_on, working_days)


def is_overdue(due: dt.date, today: dt.date) -> bool:
    return today > due


def check_request(grant: Mapping[str, Any] | None, wanted: Mapping[str, Any] | None, reason: str, note: str,
                  today: dt.date) -> None:
    """Refuse (``Refused``) a change request that breaks a rule. ``grant``: the citizen's grant with its
    product's area (None: not theirs); ``wanted``: the asked-for product (None: unknown)."""
    if grant is None:
        raise Refused("unknown_grant")
    if grant["valid_to"] is not None and grant["valid_to"] < today:
        raise Refused("grant_ended")
    if wanted is None or not wanted["active"]:
        raise Refused("unknown_product")
    if wanted["id"] == grant["product_id"]:
        raise Refused("same_product")
    if wanted["area_code"] != grant["area_code"]:
        raise Refused("other_area")
    if reason not in REASONS:
        raise Refused("bad_reason")
    if len(note) > NOTE_MAX:
        raise Refused("note_too_long")


def check_effective_date(effective: dt.date, today: dt.date, valid_from: dt.date, valid_to: dt.date | None) -> None:
    """The new product applies from ``effective``; the old grant then ends the day before, so that
    day must lie within the grant: after its first day, not after its last, and not in the past."""
    if effective < today:
        raise Refused("date_in_past")
    if effective <= valid_from:
        raise Refused("date_before_grant")
    if valid_to is not None and effective > valid_to:
        raise Refused("date_after_grant")


def parse_date(text: str) -> dt.date:
    """dd-mm-yyyy (as Danish forms write it) or yyyy-mm-dd (an <input type=date>)."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Refused("bad_date")
