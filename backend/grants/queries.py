"""Grant queries. Balances are computed in Python (rules.py) from the raw order lines."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.orders.queries import CITIZEN_FOR_ORDERING_SQL

# How far back recently expired grants are still shown (so a citizen sees why one is gone).
SHOW_EXPIRED_DAYS = 60

# The citizen's current, upcoming and recently expired grants ($1 citizen, $2 today, $3 days) with
# product facts; per grant the pieces allocated to the current and later periods (usage_days,
# usage_pieces) and the packs of the citizen's last (not cancelled) order, if it had this grant.
_GRANTS_WITH_USAGE_SQL = """
SELECT g.id, g.product_id, g.quantity_per_period, g.period_days, g.valid_from, g.valid_to,
       p.name AS product_name, p.item_no, p.hmi_no, p.category, p.pack_size, p.unit,
       m.name AS manufacturer, payer.name AS payer_name,
       coalesce(u.starts, '{}') AS usage_days, coalesce(u.pieces, '{}') AS usage_pieces,
       lo.packs AS last_packs
  FROM grant_ g
  JOIN product p ON p.id = g.product_id
  JOIN manufacturer m ON m.id = p.manufacturer_id
  JOIN authority payer ON payer.id = g.payer_id
  LEFT JOIN LATERAL (
        SELECT array_agg(per_period.period_start) AS starts, array_agg(per_period.pieces) AS pieces
          FROM (SELECT a.period_start, sum(a.pieces)::int AS pieces
                  FROM grant_allocation a
                 WHERE a.grant_id = g.id AND a.period_start >= $2::date - g.period_days
                 GROUP BY a.period_start) per_period  -- one row per period, however many orders
  ) u ON true
  LEFT JOIN order_line lo ON lo.order_id = (
        SELECT id FROM order_ WHERE citizen_id = $1 AND status <> 'cancelled'
         ORDER BY placed_at DESC, id DESC LIMIT 1) AND lo.grant_id = g.id
 WHERE g.citizen_id = $1
   AND (g.valid_to IS NULL OR g.valid_to >= $2::date - $3::int)"""

# One round trip for the pages that show a citizen's grants: the citizen for ordering, and the
# grants as a JSON array (decoded by grants.views.GrantRow) in the order the pages list them.
_CITIZEN_WITH_GRANTS_SQL = f"""
SELECT c.*, (SELECT coalesce(json_agg(g ORDER BY g.category, g.product_name, g.id), '[]')
               FROM ({_GRANTS_WITH_USAGE_SQL}) g) AS grants_json
  FROM ({CITIZEN_FOR_ORDERING_SQL}) c"""


async def select_citizen_with_grants(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> asyncpg.Record | None:
    return await conn.fetchrow(_CITIZEN_WITH_GRANTS_SQL, citizen_id, today, SHOW_EXPIRED_DAYS)
