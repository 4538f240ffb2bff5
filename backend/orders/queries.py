"""Order queries: explicit SQL, one function per statement."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from backend.grants.availability import CITIZEN_FOR_ORDERING_SQL, GRANTS_JSON_SQL, grant_parameters

# Allocate each (not cancelled) order line of orders without allocations to the grant period of
# its order date: for history written without allocations (the demo seed; migration 0002 did the
# same for data that existed before it).
ALLOCATE_BY_ORDER_DATE = """
INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
SELECT l.order_id, l.grant_id,
       g.valid_from + (((o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date - g.valid_from) / g.period_days)
                      * g.period_days,
       l.pieces
  FROM order_line l JOIN order_ o ON o.id = l.order_id JOIN grant_ g ON g.id = l.grant_id
 WHERE o.status <> 'cancelled' AND (o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date >= g.valid_from
   AND NOT EXISTS (SELECT 1 FROM grant_allocation a WHERE a.order_id = l.order_id)"""


async def select_order_by_key(conn: asyncpg.Connection, key: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, citizen_id, request_hash FROM order_ WHERE idempotency_key = $1", key)


async def select_citizen_for_ordering(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(CITIZEN_FOR_ORDERING_SQL, citizen_id)


async def select_citizen_for_ordering_and_key(conn: asyncpg.Connection, citizen_id: int,
                                              key: uuid.UUID) -> asyncpg.Record | None:
    """The citizen for ordering, and the order already placed with ``key`` (key_order_id,
    key_citizen_id, key_request_hash; NULL when the key is new)."""
    return await conn.fetchrow(
        f"""SELECT c.*, k.id AS key_order_id, k.citizen_id AS key_citizen_id, k.request_hash AS key_request_hash
              FROM ({CITIZEN_FOR_ORDERING_SQL}) c LEFT JOIN order_ k ON k.idempotency_key = $2""",
        citizen_id, key,
    )


async def select_grants_and_key(conn: asyncpg.Connection, citizen_id: int, today: dt.date,
                                grant_ids: list[int] | None, key: uuid.UUID) -> asyncpg.Record:
    """Under the order's grant locks (grants.availability.lock_grants): the grants with what is
    allocated (grants_json, decoded by grants.availability.decode_rows), and the order a concurrent
    request with the same key may have committed while we waited (key_order_id, key_citizen_id,
    key_request_hash; NULL when none), in one round trip."""
    return await conn.fetchrow(
        f"""SELECT {GRANTS_JSON_SQL} AS grants_json,
                   k.id AS key_order_id, k.citizen_id AS key_citizen_id, k.request_hash AS key_request_hash
              FROM (SELECT $5::uuid AS key) x LEFT JOIN order_ k ON k.idempotency_key = x.key""",
        *grant_parameters(citizen_id, today, grant_ids), key,
    )


async def select_temporary_address(conn: asyncpg.Connection, citizen_id: int, day: dt.date) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, street, postcode, city, valid_from, valid_to FROM temporary_address
            WHERE citizen_id = $1 AND $2 BETWEEN valid_from AND valid_to
            ORDER BY valid_from DESC, id DESC LIMIT 1""",
        citizen_id, day,
    )


async def select_pickup_point(conn: asyncpg.Connection, pickup_point_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, name, street, postcode, city FROM pickup_point WHERE id = $1 AND active", pickup_point_id)


async def select_pickup_points(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT id, name, street, postcode, city FROM pickup_point WHERE active ORDER BY name")


async def insert_order(conn: asyncpg.Connection, order: dict[str, object], *,
                       lines: list[tuple[int, int, int, int]], allocations: list[tuple[int, dt.date, int]]) -> int:
    """The order row, its lines (grant_id, product_id, packs, pieces; the contract price of the day is
    recorded on each line) and its grant allocations
    (grant_id, period_start, pieces) in one statement; returns the order id."""
    columns = list(order)
    n = len(columns)
    placeholders = ", ".join(f"${i}" for i in range(1, n + 1))
    line_columns = list(zip(*lines, strict=True)) if lines else [(), (), (), ()]
    allocation_columns = list(zip(*allocations, strict=True)) if allocations else [(), (), ()]
    return await conn.fetchval(
        f"""WITH o AS (INSERT INTO order_ ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id),
                l AS (INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces, price_oere)
                      SELECT o.id, x.grant_id, x.product_id, x.packs, x.pieces, p.price_oere
                        FROM o, unnest(${n + 1}::bigint[], ${n + 2}::int[], ${n + 3}::int[], ${n + 4}::int[])
                                AS x (grant_id, product_id, packs, pieces)
                        JOIN product p ON p.id = x.product_id),  -- the contract price at order time
                a AS (INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
                      SELECT o.id, y.grant_id, y.period_start, y.pieces
                        FROM o, unnest(${n + 5}::bigint[], ${n + 6}::date[], ${n + 7}::int[])
                                AS y (grant_id, period_start, pieces))
           SELECT id FROM o""",  # column names are ours, values are parameters
        *order.values(), *map(list, line_columns), *map(list, allocation_columns),
    )


async def lock_order(conn: asyncpg.Connection, citizen_id: int, order_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, status FROM order_ WHERE id = $1 AND citizen_id = $2 FOR UPDATE", order_id, citizen_id)


async def select_orders(conn: asyncpg.Connection, citizen_id: int, limit: int = 50) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT o.id, o.status, o.placed_at, o.expected_delivery,
                  count(l.*) AS line_count, count(DISTINCT p.manufacturer_id) AS manufacturers,
                  h.name AS helper_name
             FROM order_ o
             JOIN order_line l ON l.order_id = o.id
             JOIN product p ON p.id = l.product_id
             LEFT JOIN person h ON o.placed_by_kind = 'relative' AND h.id = o.placed_by_id  -- placed by a helper
            WHERE o.citizen_id = $1
            GROUP BY o.id, h.name
            ORDER BY o.placed_at DESC, o.id DESC
            LIMIT $2""",
        citizen_id, limit,
    )


async def select_order(conn: asyncpg.Connection, citizen_id: int, order_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT o.*, pp.name AS pickup_point_name
             FROM order_ o LEFT JOIN pickup_point pp ON pp.id = o.pickup_point_id
            WHERE o.id = $1 AND o.citizen_id = $2""",
        order_id, citizen_id,
    )


async def select_order_lines(conn: asyncpg.Connection, order_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT l.grant_id, l.packs, l.pieces, p.name, p.item_no, p.pack_size, p.unit, m.name AS manufacturer
             FROM order_line l JOIN product p ON p.id = l.product_id JOIN manufacturer m ON m.id = p.manufacturer_id
            WHERE l.order_id = $1
            ORDER BY p.category, p.name""",
        order_id,
    )
