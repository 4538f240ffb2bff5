"""The citizen's grants as pages show them (home page, FSC call view): balance and what may be
ordered now, computed by the rules from one query."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from backend.catalog.labels import category_label, unit_label
from backend.grants import queries
from backend.grants.rules import (
    Balance,
    GrantTerms,
    Orderable,
    Reason,
    balance,
    orderable,
    rule_config,
    supply_horizon_days,
    usual_packs,
)
from backend.orders.service import reason_text


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
    limit: Orderable
    usual_packs: int
    reason: str  # plain-language reason when nothing can be ordered now

    @property
    def packs_left(self) -> int:
        return self.balance.packs_left(self.pack_size)


def grant_views(rows: list[asyncpg.Record], today: dt.date, horizon_days: int) -> list[GrantView]:
    views = []
    for row in rows:
        terms = GrantTerms(row["quantity_per_period"], row["period_days"], row["valid_from"], row["valid_to"])
        allocated = dict(zip(row["usage_days"], row["usage_pieces"], strict=True))
        limit = orderable(terms, allocated, today, horizon_days, row["pack_size"])
        views.append(
            GrantView(
                id=row["id"], product_name=row["product_name"], manufacturer=row["manufacturer"],
                category=category_label(row["category"]), item_no=row["item_no"], hmi_no=row["hmi_no"],
                pack_size=row["pack_size"], unit=unit_label(row["unit"]), period_days=row["period_days"],
                payer_name=row["payer_name"], balance=balance(terms, allocated.items(), today), limit=limit,
                usual_packs=usual_packs(row["quantity_per_period"], row["pack_size"], row["last_packs"], limit.packs),
                reason=reason_text(limit.reason, limit.date) if limit.reason is not Reason.OK else "",
            )
        )
    return views


async def load_grant_views(conn: asyncpg.Connection, citizen: asyncpg.Record, today: dt.date) -> list[GrantView]:
    """``citizen`` is a row from orders.queries.select_citizen_for_ordering."""
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    return grant_views(await queries.select_grants_with_usage(conn, citizen["id"], today), today, horizon)
