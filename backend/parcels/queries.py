"""Parcel, event and backorder queries."""

from __future__ import annotations

import datetime as dt

import asyncpg

# Orders written as history (demo seed, tests) get their parcel 1 in the order's status.
PARCELS_FOR_ORDERS = """
INSERT INTO parcel (order_id, parcel_no, status)
SELECT id, 1, status FROM order_ WHERE status <> 'cancelled'
ON CONFLICT DO NOTHING"""


async def insert_first_parcel(conn: asyncpg.Connection, order_id: int) -> None:
    await conn.execute("INSERT INTO parcel (order_id, parcel_no) VALUES ($1, 1)", order_id)


async def lock_order(conn: asyncpg.Connection, order_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, citizen_id, status, cancel_state, withdrawal_confirmed
             FROM order_ WHERE id = $1 FOR UPDATE""", order_id)


async def remember_signature(conn: asyncpg.Connection, signature: str) -> bool:
    """False when the exact signature was seen before (a replayed request)."""
    inserted = await conn.fetchval(
        "INSERT INTO webhook_signature (signature) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true", signature)
    return bool(inserted)


async def insert_event(conn: asyncpg.Connection, event_id: str, order_id: int, parcel_no: int, type_: str,
                       occurred_at: dt.datetime, body: dict) -> bool:
    """False when the event id was applied before."""
    inserted = await conn.fetchval(
        """INSERT INTO warehouse_event (event_id, order_id, parcel_no, type, occurred_at, body)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING true""",
        event_id, order_id, parcel_no, type_, occurred_at, body,
    )
    return bool(inserted)


async def lock_parcel(conn: asyncpg.Connection, order_id: int, parcel_no: int) -> asyncpg.Record | None:
    """The parcel row, or None when the order has no such parcel. Parcel 1 is made when the order
    is placed, parcel 2 only by a ``split`` backorder decision (``insert_split_parcel``)."""
    return await conn.fetchrow(
        "SELECT status, attempt FROM parcel WHERE order_id = $1 AND parcel_no = $2 FOR UPDATE", order_id, parcel_no)


async def insert_split_parcel(conn: asyncpg.Connection, order_id: int) -> None:
    """Parcel 2 for the backordered rest, starting where parcel 1 is (an order is as far as its least
    advanced parcel, so a new parcel must not start behind the order: its status never moves back)."""
    await conn.execute(
        """INSERT INTO parcel (order_id, parcel_no, status)
           SELECT order_id, 2, status FROM parcel WHERE order_id = $1 AND parcel_no = 1
           ON CONFLICT DO NOTHING""", order_id)


async def delete_unused_split_parcel(conn: asyncpg.Connection, order_id: int) -> bool:
    """Remove parcel 2 again when the warehouse refused the split before any event about it."""
    status = await conn.execute(
        """DELETE FROM parcel p WHERE p.order_id = $1 AND p.parcel_no = 2
              AND NOT EXISTS (SELECT 1 FROM warehouse_event e WHERE e.order_id = $1 AND e.parcel_no = 2)""",
        order_id)
    return status != "DELETE 0"


async def update_parcel(conn: asyncpg.Connection, order_id: int, parcel_no: int, status: str, attempt: int,
                        carrier: str | None, tracking_no: str | None, tracking_url: str | None,
                        failure_reason: str | None, failure_code: str | None) -> None:
    await conn.execute(
        """UPDATE parcel SET status = $3, attempt = $4,
                  carrier = coalesce($5, carrier), tracking_no = coalesce($6, tracking_no),
                  tracking_url = coalesce($7, tracking_url), failure_reason = coalesce($8, failure_reason),
                  failure_code = CASE WHEN $8::text IS NULL THEN failure_code ELSE $9 END,
                  updated_at = now()
            WHERE order_id = $1 AND parcel_no = $2""",
        order_id, parcel_no, status, attempt, carrier, tracking_no, tracking_url, failure_reason, failure_code,
    )


async def parcel_statuses(conn: asyncpg.Connection, order_id: int) -> list[tuple[str, int]]:
    return [(r["status"], r["attempt"]) for r in
            await conn.fetch("SELECT status, attempt FROM parcel WHERE order_id = $1", order_id)]


async def set_order_status(conn: asyncpg.Connection, order_id: int, status: str) -> None:
    await conn.execute("UPDATE order_ SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'cancelled'",
                       order_id, status)


async def upsert_backorder(conn: asyncpg.Connection, order_id: int, item_no: str, expected: dt.date | None,
                           reason: str | None, reason_code: str | None) -> None:
    await conn.execute(
        """INSERT INTO backorder (order_id, item_no, expected_date, reason, reason_code) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (order_id, item_no) DO UPDATE SET expected_date = EXCLUDED.expected_date,
                                                        reason = coalesce(EXCLUDED.reason, backorder.reason),
                                                        reason_code = coalesce(EXCLUDED.reason_code, backorder.reason_code)""",
        order_id, item_no, expected, reason, reason_code,
    )


async def select_parcels(conn: asyncpg.Connection, order_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT parcel_no, status, attempt, carrier, tracking_no, tracking_url, failure_reason, failure_code, updated_at
             FROM parcel WHERE order_id = $1 ORDER BY parcel_no""", order_id)


async def select_events(conn: asyncpg.Connection, order_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT parcel_no, type, occurred_at, body FROM warehouse_event
            WHERE order_id = $1 ORDER BY occurred_at, received_at""", order_id)


async def select_backorders(conn: asyncpg.Connection, order_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT b.item_no, b.expected_date, b.reason, b.reason_code, b.decision, item.name
             FROM backorder b
             LEFT JOIN LATERAL (
                   SELECT p.name FROM order_line l JOIN product p ON p.id = l.product_id
                    WHERE l.order_id = b.order_id AND p.item_no = b.item_no LIMIT 1) item ON true
            WHERE b.order_id = $1
            ORDER BY b.item_no""", order_id)


async def decide_backorders(conn: asyncpg.Connection, order_id: int, decision: str, actor_kind: str,
                            actor_id: int) -> int:
    status = await conn.execute(
        """UPDATE backorder SET decision = $2, decided_at = now(), decided_by_kind = $3, decided_by_id = $4
            WHERE order_id = $1 AND decision IS NULL""", order_id, decision, actor_kind, actor_id)
    return int(status.rsplit(" ", 1)[-1])
