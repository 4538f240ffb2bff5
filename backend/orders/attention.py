"""Orders a person at Fælles Service Center must look at: a cancel that came too late, a
withdrawal or pick list the warehouse refused, an event we refused. One open row per order and
kind; FSC marks it handled (backend/staff/attention_routes.py)."""

from __future__ import annotations

import asyncpg

from backend.catalog.labels import N_

KINDS = {
    "cancel_refused": N_("Too late to cancel: the warehouse had started packing"),
    "withdrawal_failed": N_("The warehouse could not withdraw the order"),
    "pick_list_refused": N_("The warehouse refused the order"),
    "event_refused": N_("The warehouse reported on an order that is cancelled or a parcel we do not know"),
}


async def flag(conn: asyncpg.Connection, order_id: int, kind: str, detail: str = "") -> None:
    """Open an item for FSC (once: a second report of the same kind adds nothing while one is open)."""
    await conn.execute(
        """INSERT INTO order_attention (order_id, kind, detail) VALUES ($1, $2, $3)
           ON CONFLICT (order_id, kind) WHERE handled_at IS NULL DO NOTHING""",
        order_id, kind, detail[:500])


async def select_open(conn: asyncpg.Connection, limit: int = 200) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT a.id, a.order_id, a.kind, a.detail, a.created_at, o.status, o.citizen_id, c.name AS citizen_name
             FROM order_attention a JOIN order_ o ON o.id = a.order_id JOIN citizen c ON c.id = o.citizen_id
            WHERE a.handled_at IS NULL
            ORDER BY a.created_at
            LIMIT $1""", limit)


async def select_open_for_orders(conn: asyncpg.Connection, order_ids: list[int]) -> dict[int, list[str]]:
    rows = await conn.fetch(
        """SELECT order_id, kind FROM order_attention
            WHERE order_id = ANY($1::bigint[]) AND handled_at IS NULL ORDER BY created_at""", order_ids)
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["order_id"], []).append(row["kind"])
    return found


async def mark_handled(conn: asyncpg.Connection, attention_id: int, staff_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """UPDATE order_attention a SET handled_at = now(), handled_by = $2
             FROM order_ o
            WHERE a.id = $1 AND a.handled_at IS NULL AND o.id = a.order_id
        RETURNING a.order_id, o.citizen_id""", attention_id, staff_id)
