"""Hospital → municipality without a gap (issue 16 §2).

A region's discharge grant pays the first period; the municipality's grant for the same product
takes over from its start date (the intake ends the discharge grant the day before, so the
hand-over day belongs to exactly one grant: backend/intake/plan.py). This module finds the
discharge grants that end soon with nothing to follow them, for FSC and the municipality's
caseworkers."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.web.deps import local_today

HANDOVER_WARNING_DAYS = 14

# A follow-on grant: the same citizen and product, starting after the discharge grant did and no
# later than the day after it ends, and still valid after that end.
_ENDING = """
SELECT g.id AS grant_id, g.citizen_id, c.name AS citizen_name, c.municipality_id, mun.name AS municipality,
       p.name AS product_name, g.valid_to, payer.name AS region, g.reference
  FROM grant_ g
  JOIN authority payer ON payer.id = g.payer_id AND payer.kind = 'region'
  JOIN citizen c ON c.id = g.citizen_id
  JOIN authority mun ON mun.id = c.municipality_id
  JOIN product p ON p.id = g.product_id
 WHERE g.valid_to BETWEEN $1::date AND $1::date + $2::int
   AND ($3::int IS NULL OR c.municipality_id = $3)
   AND ($4::int IS NULL OR g.payer_id = $4)
   AND NOT EXISTS (
        SELECT 1 FROM grant_ f
         WHERE f.citizen_id = g.citizen_id AND f.product_id = g.product_id AND f.id <> g.id
           AND f.valid_from > g.valid_from AND f.valid_from <= g.valid_to + 1
           AND (f.valid_to IS NULL OR f.valid_to > g.valid_to))
 ORDER BY g.valid_to, c.name, g.id"""


async def ending_discharge_grants(conn: asyncpg.Connection, *, municipality_id: int | None = None,
                                  payer_id: int | None = None, within_days: int = HANDOVER_WARNING_DAYS,
                                  today: dt.date | None = None) -> list[asyncpg.Record]:
    """Discharge grants (paid by a region) that end from today to ``within_days`` ahead with no
    follow-on grant for the same product; for one municipality's citizens and/or one paying region
    when given (the payer filter reads grant_payer_ending_idx)."""
    return await conn.fetch(_ENDING, today or local_today(), within_days, municipality_id, payer_id)


async def ending_discharge_grants_for(conn: asyncpg.Connection, authority_id: int, authority_kind: str, *,
                                      today: dt.date | None = None) -> list[asyncpg.Record]:
    """A caseworker's hand-overs: a municipality's are its own citizens' (whoever discharged them), a
    region's are the discharge grants it pays."""
    if authority_kind == "region":
        return await ending_discharge_grants(conn, payer_id=authority_id, today=today)
    return await ending_discharge_grants(conn, municipality_id=authority_id, today=today)
