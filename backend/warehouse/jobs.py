"""Worker jobs that talk to the warehouse partner: pick lists, withdrawals, backorder decisions.

At least once and idempotent: the warehouse accepts a pick list once per order id (a repeat is
answered 200), a withdrawal once, a decision once. Transient failures (no connection, timeouts,
5xx, 408, 429) are retried with back-off for as long as it takes (the partner may be down for an
hour); a permanent refusal is recorded on the order for FSC staff and the job is held as failed.

Payloads: ``order_placed`` {"order_id"}, ``order_cancelled`` {"order_id"},
``backorder_decision`` {"order_id", "decision": "wait" | "split"}.
"""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg
from pgqueuer.errors import RetryRequested
from pgqueuer.models import Job

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


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    settings = worker.settings

    def client() -> WarehouseClient:
        return WarehouseClient(settings.warehouse_url, settings.warehouse_secrets, worker.http)

    @worker.job("order_placed")
    async def send_pick_list(payload: dict, job: Job) -> None:
        order_id = payload["order_id"]
        async with worker.pool.acquire() as conn:
            status, pick_list = await build_pick_list(conn, order_id)
        if pick_list is None or status == "cancelled":
            return  # cancelled before it was sent: the warehouse never hears of it
        result = await client().send_pick_list(pick_list)
        if result.outcome is Outcome.REJECTED:
            async with worker.pool.acquire() as conn:
                await conn.execute("UPDATE order_ SET warehouse_error = $2 WHERE id = $1", order_id, result.detail)
        settle(result, job, f"pick list for order {order_id}")
        async with worker.pool.acquire() as conn:
            status = await conn.fetchval(
                """UPDATE order_ SET handed_off_at = coalesce(handed_off_at, now()), warehouse_ref = $2
                    WHERE id = $1 RETURNING status""",
                order_id, result.acceptance.warehouse_ref if result.acceptance else None)
        if status == "cancelled":
            # Cancelled while we were sending: withdraw it (order_cancelled does too; twice is harmless).
            settle(await client().withdraw(order_id, "Cancelled by the citizen"), job, f"withdrawal of order {order_id}")

    @worker.job("order_cancelled")
    async def withdraw(payload: dict, job: Job) -> None:
        order_id = payload["order_id"]
        result = await client().withdraw(order_id, "Cancelled by the citizen")
        if result.outcome is Outcome.REJECTED and result.status_code == 404:
            return  # the warehouse never had it (the pick list job will not send it either)
        settle(result, job, f"withdrawal of order {order_id}")

    @worker.job("backorder_decision")
    async def send_decision(payload: dict, job: Job) -> None:
        result = await client().send_backorder_decision(payload["order_id"], payload["decision"])
        settle(result, job, f"backorder decision for order {payload['order_id']}")
