"""Finding a citizen (staff search) and the citizen's record for FSC staff.

Each search is one indexed look-up (migration 0013): the name's folded words (GIN on
citizen.name_search), the phone's last 8 digits (citizen.phone_digits), the CPR's keyed hash
(citizen.cpr_hash, unique) or an order's id; the result rows then read each found citizen's open
callbacks and last order through the citizen indexes (tests/integration/test_query_plans.py).
"""

from __future__ import annotations

import asyncpg

from backend.callbacks.rules import OPEN_STATUSES

MAX_RESULTS = 20

_FIND = {
    "name": """SELECT id FROM citizen WHERE name_search @@ to_tsquery('simple', $1)
                ORDER BY name, id LIMIT $2""",
    "phone": "SELECT id FROM citizen WHERE phone_digits = $1 ORDER BY name, id LIMIT $2",
    "order": "SELECT citizen_id FROM order_ WHERE id = $1 LIMIT $2",
    "cpr": "SELECT id FROM citizen WHERE cpr_hash = $1 LIMIT $2",
}


async def find_citizen_ids(conn: asyncpg.Connection, by: str, value: str | bytes) -> list[int]:
    """Ids of the citizens matching one search (at most MAX_RESULTS + 1, so the page can say "more")."""
    if by == "number":  # 8 digits: a phone number or an order number
        ids = await find_citizen_ids(conn, "phone", value)
        return ids + [i for i in await find_citizen_ids(conn, "order", value) if i not in ids]
    if by == "order":
        value = int(value)
    return [r[0] for r in await conn.fetch(_FIND[by], value, MAX_RESULTS + 1)]


async def select_search_results(conn: asyncpg.Connection, citizen_ids: list[int]) -> list[asyncpg.Record]:
    """Per citizen: name, birth year, municipality, open callbacks and the last order."""
    return await conn.fetch(
        """SELECT c.id, c.name, c.birth_year, a.name AS municipality,
                  (SELECT count(*) FROM callback cb
                    WHERE cb.citizen_id = c.id AND cb.status = ANY($2::text[]) AND cb.kind = 'booked') AS open_callbacks,
                  last.id AS last_order_id, last.placed_at AS last_order_at, last.status AS last_order_status
             FROM citizen c
             JOIN authority a ON a.id = c.municipality_id
             LEFT JOIN LATERAL (SELECT o.id, o.placed_at, o.status FROM order_ o WHERE o.citizen_id = c.id
                                 ORDER BY o.placed_at DESC LIMIT 1) last ON true
            WHERE c.id = ANY($1::bigint[])
            ORDER BY c.name, c.id""",
        citizen_ids, list(OPEN_STATUSES),
    )


async def citizen_exists(conn: asyncpg.Connection, citizen_id: int) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM citizen WHERE id = $1)", citizen_id)
