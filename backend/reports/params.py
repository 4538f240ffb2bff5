"""The report's GET parameters: month range (``from``/``to`` as YYYY-MM) and payer (authority code).

Bad input is answered with a translated message and no figures; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from backend.catalog.labels import N_
from backend.reports.figures import months_between

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
"""A longer range makes the charts unreadable; the CSV of one range covers three years."""

BAD_MONTH = N_("Write the month as year and month, for example 2026-03.")
REVERSED = N_("The first month must not come after the last month.")
TOO_LONG = N_("Choose at most 36 months at a time.")
UNKNOWN_PAYER = N_("We do not know that payer. Choose one from the list.")
NOT_YOUR_PAYER = N_("You can only see the reports for your own authority.")


class ReportInputError(Exception):
    """A bad parameter; ``message`` is an untranslated msgid, ``field`` the parameter it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    status_code = 400


class ReportAccessError(ReportInputError):
    """A payer the viewer may not see (a caseworker asking for another authority): 403."""

    status_code = 403


@dataclass(frozen=True)
class ReportRange:
    first: dt.date   # first day of the first month
    last: dt.date    # first day of the last month

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.first, self.last)


def parse_month(field: str, value: str) -> dt.date:
    match = MONTH.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ReportInputError(field, BAD_MONTH)
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_range(first: str | None, last: str | None, today: dt.date) -> ReportRange:
    """The months asked for; by default the last 12 months up to and including this one."""
    this_month = today.replace(day=1)
    last_month = parse_month("to", last) if last else this_month
    if first:
        first_month = parse_month("from", first)
    else:
        first_month = months_back(last_month, DEFAULT_MONTHS - 1)
    if first_month > last_month:
        raise ReportInputError("from", REVERSED)
    if len(months_between(first_month, last_month)) > MAX_MONTHS:
        raise ReportInputError("from", TOO_LONG)
    return ReportRange(first_month, last_month)


def months_back(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_payer(value: str | None, payers: dict[int, int], own_authority: int | None) -> int | None:
    """The payer's authority id from its code (None: all payers). ``payers`` maps code -> id.
    ``own_authority`` (a caseworker's) limits the choice to that authority, and is the default."""
    if not value or not value.strip():
        return own_authority
    code = value.strip()
    if not code.isdigit() or int(code) not in payers:
        raise ReportInputError("payer", UNKNOWN_PAYER)
    payer_id = payers[int(code)]
    if own_authority is not None and payer_id != own_authority:
        raise ReportAccessError("payer", NOT_YOUR_PAYER)
    return payer_id
