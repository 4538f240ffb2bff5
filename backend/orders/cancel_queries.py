"""Queries for cancelling an order (see backend/orders/cancel.py)."""

from __future__ import annotations

import asyncpg


async def lock_order(conn: asyncpg.Connection, order_id: int, citizen_id: int | None = None) -> asyncpg.Record | None:
    """The order's cancel and hand-off state, locked; ``citizen_id`` restricts it to that citizen's orders."""
    return await conn.fetchrow(
        """SELECT id, citizen_id, status, cancel_state, handoff_state, withdrawal_confirmed
             FROM order_ WHERE id = $1 AND ($2::bigint IS NULL OR citizen_id = $2) FOR UPDATE""",
        order_id, citizen_id)


async def mark_requested(conn: asyncpg.Connection, order_id: int) -> None:
    await conn.execute(
        """UPDATE order_ SET cancel_state = 'requested', cancel_requested_at = now(), updated_at = now()
            WHERE id = $1""", order_id)


async def mark_confirmed(conn: asyncpg.Connection, order_id: int, withdrawn: bool) -> None:
    """The order is cancelled; its grant allocations are released (kept aside, see release_allocations)."""
    await conn.execute(
        """UPDATE order_ SET status = 'cancelled', cancel_state = 'confirmed', cancelled_at = now(),
                  cancel_decided_at = now(), withdrawal_confirmed = $2, updated_at = now()
            WHERE id = $1""", order_id, withdrawn)
    await conn.execute(
        """WITH released AS (DELETE FROM grant_allocation WHERE order_id = $1 RETURNING *)
           INSERT INTO grant_allocation_released (order_id, grant_id, period_start, pieces)
           SELECT order_id, grant_id, period_start, pieces FROM released
           ON CONFLICT (order_id, grant_id, period_start) DO UPDATE SET pieces = EXCLUDED.pieces,
                                                                       released_at = now()""", order_id)


async def mark_refused(conn: asyncpg.Connection, order_id: int) -> None:
    await conn.execute(
        """UPDATE order_ SET cancel_state = 'refused', cancel_decided_at = now(), updated_at = now()
            WHERE id = $1""", order_id)


async def reinstate(conn: asyncpg.Connection, order_id: int) -> None:
    """Undo a cancel the warehouse did not honour: the order and its grant allocations come back (the
    parcel ships whatever we had decided), its status follows its parcels again."""
    await conn.execute(
        """UPDATE order_ SET cancel_state = 'refused', cancel_decided_at = now(), cancelled_at = NULL,
                  status = 'placed', updated_at = now()
            WHERE id = $1""", order_id)
    await conn.execute("INSERT INTO parcel (order_id, parcel_no) VALUES ($1, 1) ON CONFLICT DO NOTHING", order_id)
    await conn.execute(
        """WITH restored AS (DELETE FROM grant_allocation_released WHERE order_id = $1 RETURNING *)
           INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
           SELECT order_id, grant_id, period_start, pieces FROM restored
           ON CONFLICT DO NOTHING""", order_id)


async def start_handoff(conn: asyncpg.Connection, order_id: int) -> str | None:
    """Before the worker sends the pick list: 'send' when it may (the hand-off is then marked as
    started, under the row lock a cancel takes too), else why not: 'done' (accepted, refused or
    stopped before), 'cancelled' (a cancel came first; a started hand-off is marked stopped), or
    None for an order we do not have."""
    row = await conn.fetchrow(
        "SELECT status, cancel_state, handoff_state FROM order_ WHERE id = $1 FOR UPDATE", order_id)
    if row is None:
        return None
    if row["handoff_state"] in ("accepted", "refused", "stopped"):
        return "done"
    if row["status"] == "cancelled" or row["cancel_state"] == "requested":
        if row["handoff_state"] == "sending":
            await conn.execute("UPDATE order_ SET handoff_state = 'stopped' WHERE id = $1", order_id)
        return "cancelled"
    if row["handoff_state"] is None:
        await conn.execute("UPDATE order_ SET handoff_state = 'sending' WHERE id = $1", order_id)
    return "send"


async def finish_handoff(conn: asyncpg.Connection, order_id: int, accepted: bool, warehouse_ref: str | None,
                         error: str | None) -> None:
    await conn.execute(
        """UPDATE order_ SET handoff_state = $2,
                  handed_off_at = CASE WHEN $2 = 'accepted' THEN coalesce(handed_off_at, now()) ELSE handed_off_at END,
                  warehouse_ref = coalesce($3, warehouse_ref), warehouse_error = coalesce($4, warehouse_error)
            WHERE id = $1""",
        order_id, "accepted" if accepted else "refused", warehouse_ref, error)
