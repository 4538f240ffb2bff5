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


class GrantRow(msgspec.Struct, frozen=True):
    """One row of the grants query (decoded from its JSON array, see queries.select_citizen_with_grants)."""

    id: int
    product_id: int
    quantity_per_period: int
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None
    product_name: str
    item_no: str
    hmi_no: str | None
    category: str
    pack_size: int
    unit: str
    manufacturer: str
    payer_name: str
    usage_days: list[dt.date]
    usage_pieces: list[int]
    last_packs: int | None


_decode_rows = msgspec.json.Decoder(list[GrantRow]).decode


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


def grant_views(rows: list[GrantRow], today: dt.date, horizon_days: int) -> list[GrantView]:
    views = []
    for row in rows:
        terms = GrantTerms(row.quantity_per_period, row.period_days, row.valid_from, row.valid_to)
        allocated = dict(zip(row.usage_days, row.usage_pieces, strict=True))
        limit = orderable(terms, allocated, today, horizon_days, row.pack_size)
        views.append(
            GrantView(
                id=row.id, product_name=row.product_name, manufacturer=row.manufacturer,
                category=category_label(row.category), item_no=row.item_no, hmi_no=row.hmi_no,
                pack_size=row.pack_size, unit=unit_label(row.unit), period_days=row.period_days,
                payer_name=row.payer_name, balance=balance(terms, allocated.items(), today), limit=limit,
                usual_packs=usual_packs(row.quantity_per_period, row.pack_size, row.last_packs, limit.packs),
                reason=reason_text(limit.reason, limit.date) if limit.reason is not Reason.OK else "",
            )
        )
    return views


async def load_citizen_grants(
    conn: asyncpg.Connection, citizen_id: int, today: dt.date
) -> tuple[asyncpg.Record | None, list[GrantView]]:
    """The citizen (as orders.queries.select_citizen_for_ordering returns it) and their grant views,
    in one round trip."""
    citizen = await queries.select_citizen_with_grants(conn, citizen_id, today)
    if citizen is None:
        return None, []
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    return citizen, grant_views(_decode_rows(citizen["grants_json"]), today, horizon)
