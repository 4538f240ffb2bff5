"""Worker jobs that talk to the warehouse partner: pick lists, withdrawals, backorder decisions.

At least once and idempotent: the warehouse accepts a pick list once per order id (a repeat is
answered 200), a withdrawal once, a decision once. Transient failures (no connection, timeouts,
5xx, 408, 429) are retried with back-off for as long as it takes (the partner may be down for an
hour); a permanent refusal is recorded on the order for FSC staff (order_attention) and the job is
held as failed. The pick list's hand-off has a state (``order_.handoff_state``) taken under the
order's row lock, so a cancel knows whether the warehouse may have the order (see orders/cancel.py).

Payloads: ``order_placed`` {"order_id"}, ``order_cancelled`` {"order_id"},
``backorder_decision`` {"order_id", "decision": "wait" | "split"}.
"""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job

from backend.orders import attention, cancel
from backend.orders import cancel_queries
from backend.orders.cancel import WITHDRAW_JOB, WarehouseAnswer
from backend.parcels import queries as parcel_queries
from backend.parcels.service import order_status
from backend.warehouse.client import Outcome, Result, WarehouseClient
from backend.warehouse.protocol import Delivery, PickLine, PickList

log = logging.getLogger("fsc.worker.warehouse")

_METHODS = {"home": "home", "temporary": "temporary_address", "pickup_point": "pickup_point"}


class PermanentRefusal(Exception):
    """The warehouse refused for good (a 4xx that retrying cannot fix)."""


async def build_pick_list(conn: asyncpg.Connection, order_id: int) -> tuple[str, PickList | None]:
    """(order status, pick list) — the pick list is None for an order we do not have."""
    order = await conn.fetchrow(
        """SELECT o.id, o.status, o.placed_at, o.recipient_name, o.street, o.postcode, o.city, o.delivery_method,
                  o.pickup_point_id, o.leave_at_door, o.driver_note, o.expected_delivery, c.phone
             FROM order_ o JOIN citizen c ON c.id = o.citizen_id WHERE o.id = $1""", order_id)
    if order is None:
        return "missing", None
    lines = await conn.fetch(
        """SELECT p.item_no, p.hmi_no, m.name AS manufacturer, p.name, l.packs, p.pack_size
             FROM order_line l JOIN product p ON p.id = l.product_id JOIN manufacturer m ON m.id = p.manufacturer_id
            WHERE l.order_id = $1 ORDER BY p.item_no""", order_id)
    method = _METHODS[order["delivery_method"]]
    delivery = Delivery(
        recipient_name=order["recipient_name"], address_lines=[order["street"]], postcode=order["postcode"],
        city=order["city"], method=method,  # type: ignore[arg-type]
        pickup_point_id=str(order["pickup_point_id"]) if method == "pickup_point" else None,
        leave_at_door=order["leave_at_door"] and method != "pickup_point",
        driver_note=order["driver_note"] or None, phone=order["phone"],
    )
    pick_list = PickList(
        order_id=order_id, reference=f"FB-{order_id:06d}", created_at=order["placed_at"].astimezone(dt.UTC),
        delivery=delivery, lines=[PickLine(**dict(line)) for line in lines],
        expected_delivery=order["expected_delivery"],
    )
    return order["status"], pick_list


def settle(result: Result, job: Job, what: str) -> None:
    """Return when done; ask pgqueuer for a retry when the partner may answer later; raise on refusal."""
    if result.done:
        return
    if result.outcome is Outcome.RETRY_LATER:
        from backend.worker import backoff

        delay = backoff(job.attempts, result.retry_after_s)
        log.warning("%s: warehouse not reachable (%s); retrying in %s", what, result.detail, delay)
        raise RetryRequested(delay=delay, reason=result.detail)
    raise PermanentRefusal(f"{what}: {result.detail}")


def backoff_for_handoff(attempts: int) -> dt.timedelta:
    """Short waits while a pick list's hand-off is in doubt (1, 2, 4 … s, at most 30 s)."""
    return dt.timedelta(seconds=min(30, 2 ** min(attempts, 5)))


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    settings = worker.settings

    def client() -> WarehouseClient:
        return WarehouseClient(settings.warehouse_url, settings.warehouse_secrets, worker.http)

    @worker.job("order_placed")
    async def send_pick_list(payload: dict, job: Job) -> None:
        order_id = payload["order_id"]
        async with worker.pool.acquire() as conn:
            async with conn.transaction():
                may = await cancel_queries.start_handoff(conn, order_id)
            if may != "send":
                return  # unknown, done before, or cancelled first: the warehouse never hears of it
            _status, pick_list = await build_pick_list(conn, order_id)
        result = await client().send_pick_list(pick_list)
        if result.outcome is Outcome.RETRY_LATER:
            settle(result, job, f"pick list for order {order_id}")  # the hand-off stays 'sending'
        async with worker.pool.acquire() as conn, conn.transaction():
            await cancel_queries.finish_handoff(
                conn, order_id, result.done, result.acceptance.warehouse_ref if result.acceptance else None,
                None if result.done else result.detail)
            if not result.done:
                await attention.flag(conn, order_id, "pick_list_refused", result.detail)
        settle(result, job, f"pick list for order {order_id}")

    @worker.job(WITHDRAW_JOB)
    async def withdraw(payload: dict, job: Job) -> None:
        """Ask the warehouse to stop a cancelled order; its answer decides the cancel (orders/cancel.py)."""
        order_id = payload["order_id"]
        async with worker.pool.acquire() as conn:
            if await conn.fetchval("SELECT cancel_state FROM order_ WHERE id = $1", order_id) != "requested":
                return  # decided already (a repeated run)
        result = await client().withdraw(order_id, "Cancelled by the citizen")
        if result.outcome is Outcome.RETRY_LATER:
            settle(result, job, f"withdrawal of order {order_id}")
        async with worker.pool.acquire() as conn:
            if result.done:
                await cancel.settle(conn, order_id, WarehouseAnswer.WITHDRAWN)
                return
            if result.status_code == 409:
                await cancel.settle(conn, order_id, WarehouseAnswer.TOO_LATE, result.detail)
                return
            handoff = await conn.fetchval("SELECT handoff_state FROM order_ WHERE id = $1", order_id)
            if result.status_code == 404 and handoff == "sending":
                # A pick list may still be on its way to the warehouse: ask again once the hand-off
                # job has finished (it sends nothing more now that a cancel is requested).
                raise RetryRequested(delay=backoff_for_handoff(job.attempts), reason="pick list may be on its way")
            if result.status_code == 404 and handoff != "accepted":
                await cancel.settle(conn, order_id, WarehouseAnswer.NEVER_HAD_IT)
                return
            await attention.flag(conn, order_id, "withdrawal_failed", result.detail)
        raise PermanentRefusal(f"withdrawal of order {order_id}: {result.detail}")

    @worker.job("backorder_decision")
    async def send_decision(payload: dict, job: Job) -> None:
        order_id = payload["order_id"]
        result = await client().send_backorder_decision(order_id, payload["decision"])
        if result.outcome is Outcome.REJECTED and payload["decision"] == "split":
            # Too late to split (the item arrived): everything ships as the one parcel after all.
            async with worker.pool.acquire() as conn, conn.transaction():
                await parcel_queries.delete_unused_split_parcel(conn, order_id)
                await parcel_queries.set_order_status(
                    conn, order_id, order_status(await parcel_queries.parcel_statuses(conn, order_id)))
        settle(result, job, f"backorder decision for order {order_id}")
