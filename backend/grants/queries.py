"""Grant queries. Balances are computed in Python (rules.py) from the raw order lines."""

from __future__ import annotations

import datetime as dt

import asyncpg

# How far back recently expired grants are still shown (so a citizen sees why one is gone).
SHOW_EXPIRED_DAYS = 60


async def select_grants_with_usage(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> list[asyncpg.Record]:
    """The citizen's current, upcoming and recently expired grants with product facts and, per grant,
    the (local order date, pieces) of non-cancelled order lines within the last period length."""
    return await conn.fetch(
        """SELECT g.id, g.quantity_per_period, g.period_days, g.valid_from, g.valid_to,
                  p.name AS product_name, p.item_no, p.hmi_no, p.category, p.pack_size, p.unit,
                  m.name AS manufacturer, payer.name AS payer_name,
                  coalesce(u.days, '{}') AS usage_days, coalesce(u.pieces, '{}') AS usage_pieces
             FROM grant_ g
             JOIN product p ON p.id = g.product_id
             JOIN manufacturer m ON m.id = p.manufacturer_id
             JOIN authority payer ON payer.id = g.payer_id
             LEFT JOIN LATERAL (
                   SELECT array_agg((o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date) AS days,
                          array_agg(l.pieces) AS pieces
                     FROM order_line l JOIN order_ o ON o.id = l.order_id
                    WHERE l.grant_id = g.id AND o.status <> 'cancelled'
                      AND o.placed_at >= ($2::date - g.period_days)::timestamp AT TIME ZONE 'Europe/Copenhagen'
             ) u ON true
            WHERE g.citizen_id = $1
              AND (g.valid_to IS NULL OR g.valid_to >= $2::date - $3::int)
            ORDER BY p.category, p.name, g.id""",
        citizen_id, today, SHOW_EXPIRED_DAYS,
    )


async def select_citizen_summary(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    """Name, address and the municipality's participation for the citizen's own pages."""
    return await conn.fetchrow(
        """SELECT c.id, c.name, c.street, c.postcode, c.city, c.language,
                  a.name AS municipality, a.participates, a.go_live
             FROM citizen c JOIN authority a ON a.id = c.municipality_id
            WHERE c.id = $1""",
        citizen_id,
    )
