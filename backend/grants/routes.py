"""The citizen's home page "Mine produkter": granted products and what is left this period."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from backend.auth.models import Viewer
from backend.catalog.labels import category_label, unit_label
from backend.grants import queries
from backend.grants.rules import Balance, GrantTerms, balance
from backend.web.deps import DB, citizen_required, local_today, provide_viewer
from backend.web.templating import render


class GrantView(msgspec.Struct, frozen=True):
    """One granted product as the home page shows it."""

    id: int
    product_name: str
    manufacturer: str
    category: str
    item_no: str
    hmi_no: str | None
    pack_size: int
    unit: str
    period_days: int
    payer_name: str
    balance: Balance

    @property
    def packs_left(self) -> int:
        return self.balance.packs_left(self.pack_size)


def grant_views(rows: list[asyncpg.Record], today: dt.date) -> list[GrantView]:
    views = []
    for row in rows:
        terms = GrantTerms(row["quantity_per_period"], row["period_days"], row["valid_from"], row["valid_to"])
        usage = zip(row["usage_days"], row["usage_pieces"], strict=True)
        views.append(
            GrantView(
                id=row["id"], product_name=row["product_name"], manufacturer=row["manufacturer"],
                category=category_label(row["category"]), item_no=row["item_no"], hmi_no=row["hmi_no"],
                pack_size=row["pack_size"], unit=unit_label(row["unit"]), period_days=row["period_days"],
                payer_name=row["payer_name"], balance=balance(terms, usage, today),
            )
        )
    return views


def municipality_status(summary: asyncpg.Record, today: dt.date) -> str:
    """'live', 'not_yet_live' (with a known date) or 'not_participating'."""
    if not summary["participates"]:
        return "not_participating"
    if summary["go_live"] is None or summary["go_live"] > today:
        return "not_yet_live"
    return "live"


class HomeController(Controller):
    guards = [citizen_required]
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/", name="home")
    async def home(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        today = local_today()
        summary = await queries.select_citizen_summary(db, viewer.citizen_id)
        rows = await queries.select_grants_with_usage(db, viewer.citizen_id, today)
        return render(
            request,
            "home.html",
            {
                "citizen": summary,
                "grants": grant_views(rows, today),
                "municipality_status": municipality_status(summary, today),
                "today": today,
            },
        )
