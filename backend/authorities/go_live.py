"""Go-live per municipality: supervisors set whether it takes part and from which date its citizens
may order here (before that, they are told kindly from when and whom to call)."""

from __future__ import annotations

import datetime as dt
import re

import asyncpg
import msgspec

from backend.catalog.labels import N_

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_DANISH = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")


class GoLiveForm(msgspec.Struct, frozen=True):
    participates: str = ""     # "yes" when the box is ticked (absent otherwise)
    go_live: str = ""          # a date as YYYY-MM-DD (the date field) or DD-MM-YYYY (typed by hand)


def parsed_date(text: str) -> dt.date | None:
    """The date, or None when it is not one (ValueError-free: the caller names the error)."""
    text = text.strip()
    try:
        if _ISO.fullmatch(text):
            return dt.date.fromisoformat(text)
        if match := _DANISH.fullmatch(text):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def go_live_errors(form: GoLiveForm) -> tuple[dict[str, str], bool, dt.date | None]:
    """(field -> msgid, participates, go-live date); errors empty when the form is fine."""
    participates = form.participates == "yes"
    text = form.go_live.strip()
    day = parsed_date(text) if text else None
    errors = {}
    if text and (day is None or not dt.date(2020, 1, 1) <= day <= dt.date(2100, 12, 31)):
        errors["go_live"] = N_("Write the date as DD-MM-YYYY, e.g. 01-04-2027.")
    elif participates and day is None:
        errors["go_live"] = N_("A municipality that takes part needs a go-live date.")
    return errors, participates, day


async def select_municipalities(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """All municipalities with their region, participation and go-live, by region and name."""
    return await conn.fetch(
        """SELECT m.id, m.code, m.name, m.participates, m.go_live, r.name AS region
             FROM authority m JOIN authority r ON r.id = m.region_id
            WHERE m.kind = 'municipality' ORDER BY r.name, m.name""")


async def update_go_live(conn: asyncpg.Connection, authority_id: int, participates: bool,
                         go_live: dt.date | None) -> str | None:
    """Store it; the municipality's name, or None when there is no such municipality."""
    return await conn.fetchval(
        """UPDATE authority SET participates = $2, go_live = $3
            WHERE id = $1 AND kind = 'municipality' RETURNING name""", authority_id, participates, go_live)
