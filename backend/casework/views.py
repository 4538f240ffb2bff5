"""Change requests as pages show them (the citizen's list and home cards, the caseworker's queue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import asyncpg

from backend.casework.models import STATUS_BADGES, reason_label, status_label
from backend.casework.rules import is_overdue
from backend.catalog.labels import category_label
from backend.web.deps import COPENHAGEN

HOME_SHOWS_ANSWERS_DAYS = 30
"""How long an answered request stays on the home page's grant card."""


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(COPENHAGEN).date()


def request_view(row: asyncpg.Record, today: dt.date) -> dict[str, Any]:
    view = {**dict(row), "reason_label": reason_label(row["reason"]), "status_label": status_label(row["status"]),
            "badge": STATUS_BADGES[row["status"]], "asked_on": local_day(row["created_at"])}
    view["overdue"] = row["status"] == "open" and is_overdue(row["due_on"], today)
    return view


def home_cards(rows: list[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """grant id -> the newest request about it (and the new grant -> its approval), for the home page."""
    cards: dict[int, dict[str, Any]] = {}
    for row in rows:  # newest first: the first one per grant wins
        view = {**dict(row), "status_label": status_label(row["status"]), "badge": STATUS_BADGES[row["status"]],
                "asked_on": local_day(row["created_at"])}
        cards.setdefault(row["grant_id"], view)
    return cards


def product_choices(rows: list[asyncpg.Record], exclude: int | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """Products grouped by their category label (for <optgroup>), without ``exclude``."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["id"] != exclude:
            groups.setdefault(category_label(row["category"]), []).append(dict(row))
    return list(groups.items())
