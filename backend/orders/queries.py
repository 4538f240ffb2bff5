"""Order queries: explicit SQL, one function per statement."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from backend import jobs
from backend.grants.availability import (
    CITIZEN_FOR_ORDERING_SQL,
    GRANTS_JSON_SQL,
    LOCKED_GRANT_IDS_SQL,
    grant_parameters,
)
from backend.push import PUSH_JOB, subscribed_sql

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


async def select_citizen_for_ordering_and_key(conn: asyncpg.Connection, citizen_id: int, key: uuid.UUID,
                                              today: dt.date, grant_ids: list[int] | None) -> asyncpg.Record | None:
    """An order's first statement: the citizen for ordering; the order already placed with ``key``
    (key_order_id, key_citizen_id, key_request_hash; NULL when the key is new); the grants the order
    may draw on, locked (locked_ids, grants.availability.LOCKED_GRANT_IDS_SQL); and the citizen's
    temporary addresses that have not ended (temporaries: JSON, newest first, decoded by
    ``decode_temporaries``)."""
    return await conn.fetchrow(
        f"""SELECT c.*, k.id AS key_order_id, k.citizen_id AS key_citizen_id, k.request_hash AS key_request_hash,
                   {LOCKED_GRANT_IDS_SQL} AS locked_ids,
                   (SELECT coalesce(json_agg(t ORDER BY t.valid_from DESC, t.id DESC), '[]')
                      FROM (SELECT id, street, postcode, city, valid_from, valid_to FROM temporary_address
                             WHERE citizen_id = $1 AND valid_to >= $2) t) AS temporaries
              FROM ({CITIZEN_FOR_ORDERING_SQL}) c LEFT JOIN order_ k ON k.idempotency_key = $5""",
        *grant_parameters(citizen_id, today, grant_ids), key,
    )


class TemporaryAddress(msgspec.Struct, frozen=True):
    id: int
    street: str
    postcode: str
    city: str
    valid_from: dt.date
    valid_to: dt.date


def decode_temporaries(data: str) -> list[TemporaryAddress]:
    return msgspec.json.decode(data, type=list[TemporaryAddress])


def temporary_on(addresses: list[TemporaryAddress], day: dt.date) -> TemporaryAddress | None:
    """The temporary address that covers ``day`` (the newest, as ``select_temporary_address``)."""
    return next((a for a in addresses if a.valid_from <= day <= a.valid_to), None)


async def select_grants_and_key(conn: asyncpg.Connection, citizen_id: int, today: dt.date,
                                grant_ids: list[int] | None, key: uuid.UUID) -> asyncpg.Record:
    """Under the order's grant locks (select_citizen_for_ordering_and_key): the grants with what is
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


_NOTICE_KEY = "'parcel:' || o.id || ':1:placed:0'"  # push.notify_parcel_change's key for "placed"


# The order row's columns, in the order insert_order takes them ($1 … $15).
ORDER_COLUMNS = ("citizen_id", "status", "placed_by_kind", "placed_by_id", "idempotency_key", "request_hash",
                 "delivery_method", "recipient_name", "street", "postcode", "city", "pickup_point_id",
                 "leave_at_door", "driver_note", "expected_delivery")


def _insert_order_sql() -> str:
    n = len(ORDER_COLUMNS)
    kind, actor = ORDER_COLUMNS.index("placed_by_kind") + 1, ORDER_COLUMNS.index("placed_by_id") + 1
    warehouse_job = jobs.queue_in_statement(
        "j", entrypoint="order_placed", source="o",
        payload="""'{"order_id":' || o.id || '}'""", dedupe_key="'order_placed:' || o.id")
    notice_job = jobs.queue_in_statement(
        "n", entrypoint=PUSH_JOB, source="o", where=subscribed_sql("$1"), dedupe_key=_NOTICE_KEY,
        payload=f"""'{{"type":' || to_json(${n + 8}::text) || ',"order_id":' || o.id
                    || ',"parcel_no":1,"key":' || to_json({_NOTICE_KEY}) || '}}'""")  # as msgspec writes it
    return f"""WITH o AS (INSERT INTO order_ ({', '.join(ORDER_COLUMNS)})
                          VALUES ({', '.join(f"${i}" for i in range(1, n + 1))}) RETURNING id),
                l AS (INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces, price_oere)
                      SELECT o.id, x.grant_id, x.product_id, x.packs, x.pieces, p.price_oere
                        FROM o, unnest(${n + 1}::bigint[], ${n + 2}::int[], ${n + 3}::int[], ${n + 4}::int[])
                                AS x (grant_id, product_id, packs, pieces)
                        JOIN product p ON p.id = x.product_id),  -- the contract price at order time
                a AS (INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
                      SELECT o.id, y.grant_id, y.period_start, y.pieces
                        FROM o, unnest(${n + 5}::bigint[], ${n + 6}::date[], ${n + 7}::int[])
                                AS y (grant_id, period_start, pieces)),
                p AS (INSERT INTO parcel (order_id, parcel_no) SELECT o.id, 1 FROM o),
                {warehouse_job},
                {notice_job},
                e AS (INSERT INTO audit_log (actor_kind, actor_id, citizen_id, action, detail)
                      SELECT ${kind}, ${actor}, $1, 'order_placed',
                             jsonb_build_object('order_id', o.id, 'one_tap', ${n + 9}::boolean) FROM o)
           SELECT id FROM o"""


# Also prepared by the warm-up (backend/web/warmup.py): its parameter types make asyncpg look up
# type information, three extra round trips on each connection's first order.
INSERT_ORDER_SQL = _insert_order_sql()


async def insert_order(conn: asyncpg.Connection, order: dict[str, object], *,
                       lines: list[tuple[int, int, int, int]], allocations: list[tuple[int, dt.date, int]],
                       notice_type: str, one_tap: bool) -> int:
    """A placed order in one statement, returning its id: the order row (``order``: the values of
    ORDER_COLUMNS, in that order), its lines (grant_id, product_id, packs, pieces; the contract price
    of the day is recorded on each line), its grant allocations (grant_id, period_start, pieces),
    its first parcel, the outbox job for the warehouse, the "order received" notice job when someone
    has a device to receive it (the same job ``push.notify_parcel_change`` queues), and the audit
    row (actor: placed_by_kind, placed_by_id). The caller marks the connection (jobs.queued_on)."""
    if tuple(order) != ORDER_COLUMNS:
        raise ValueError(f"order columns {tuple(order)} are not {ORDER_COLUMNS}")
    line_columns = list(zip(*lines, strict=True)) if lines else [(), (), (), ()]
    allocation_columns = list(zip(*allocations, strict=True)) if allocations else [(), (), ()]
    order_id = await conn.fetchval(
        INSERT_ORDER_SQL,
        *order.values(), *map(list, line_columns), *map(list, allocation_columns), notice_type, one_tap,
    )
    jobs.queued_on(conn)
    return order_id


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
