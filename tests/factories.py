"""Small builders for test data written straight into the test's own database."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.citizens.cpr import birth_year, cpr_hash
from backend.orders.queries import ALLOCATE_BY_ORDER_DATE
from backend.parcels.queries import PARCELS_FOR_ORDERS
from backend.web.deps import COPENHAGEN
from tests.conftest import TEST_CPR_KEY


async def make_citizen(db: asyncpg.Connection, name: str, cpr: str, municipality_code: int = 751,
                       is_demo: bool = True, stoma_since: dt.date | None = None, phone: str | None = None) -> int:
    """A citizen of our own (demo citizens can use the demo login)."""
    return await db.fetchval(
        """INSERT INTO citizen (cpr_hash, name, street, postcode, city, municipality_id, is_demo, stoma_since,
                                  birth_year, phone)
           VALUES ($1, $2, 'Testvej 1', '8000', 'Aarhus C', (SELECT id FROM authority WHERE code = $3), $4, $5, $6, $7)
           RETURNING id""",
        cpr_hash(TEST_CPR_KEY, cpr), name, municipality_code, is_demo, stoma_since, birth_year(cpr), phone,
    )


async def make_product(db: asyncpg.Connection, name: str, pack_size: int = 30, manufacturer: str | None = None) -> int:
    return await db.fetchval(
        """INSERT INTO product (area_code, manufacturer_id, item_no, name, category, pack_size, unit, price_oere)
           VALUES ('stomi', coalesce((SELECT id FROM manufacturer WHERE name = $3), (SELECT min(id) FROM manufacturer)),
                   $1, $1, 'one_piece_closed', $2, 'piece', 50000)
           RETURNING id""",
        name, pack_size, manufacturer,
    )


async def make_grant(db: asyncpg.Connection, citizen_id: int, product_id: int, qty: int, valid_from: dt.date,
                     period_days: int = 30, valid_to: dt.date | None = None) -> int:
    return await db.fetchval(
        """INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, valid_to, payer_id)
           VALUES ($1, $2, $3, $4, $5, $6, (SELECT municipality_id FROM citizen WHERE id = $1)) RETURNING id""",
        citizen_id, product_id, qty, period_days, valid_from, valid_to,
    )


async def make_order(db: asyncpg.Connection, citizen_id: int, grant_id: int, product_id: int, packs: int,
                     pack_size: int, day: dt.date, status: str = "delivered") -> int:
    """A past order (as history: counted in the grant period of its order date)."""
    placed = dt.datetime.combine(day, dt.time(10), COPENHAGEN)
    order_id = await db.fetchval(
        """INSERT INTO order_ (citizen_id, status, placed_at, recipient_name, street, postcode, city)
           SELECT id, $2, $3, name, street, postcode, city FROM citizen WHERE id = $1 RETURNING id""",
        citizen_id, status, placed,
    )
    await db.execute(
        "INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces) VALUES ($1, $2, $3, $4, $5)",
        order_id, grant_id, product_id, packs, packs * pack_size,
    )
    await db.execute(ALLOCATE_BY_ORDER_DATE)
    await db.execute(PARCELS_FOR_ORDERS)
    return order_id
