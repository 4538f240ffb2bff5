"""Cancelling an order ("Fortryd"): a request until the warehouse confirms it.

``order_.cancel_state``: NULL → 'requested' → 'confirmed' (the order is 'cancelled', its grant
allocations are released) or 'refused' (too late: the order goes on, the citizen is told, FSC sees
it). An allocation is released only when no parcel can ship: when the warehouse confirmed the
withdrawal, said it never had the order, or the pick list was never sent. The last case is decided
at once, under the order's row lock, which the worker's hand-off takes too
(``cancel_queries.start_handoff``), so a pick list is either sent or the cancel waits for the
warehouse's answer, never both.

Should the warehouse report on an order it never confirmed withdrawn after we cancelled it (it had
the pick list after all), ``reinstate`` gives the order and its allocations back: what ships counts.
"""

from __future__ import annotations

import enum

import asyncpg

from backend import jobs
from backend.audit import log_event
from backend.i18n import gettext as _
from backend.orders import attention
from backend.orders import cancel_queries as queries
from backend.orders.models import CANCELLABLE, Actor, OrderRejected
from backend.push import notify_parcel_change

WITHDRAW_JOB = "order_cancelled"


class CancelResult(enum.Enum):
    CONFIRMED = "confirmed"    # cancelled at once (the warehouse never had it)
    REQUESTED = "requested"    # the warehouse is asked; the answer comes later


class WarehouseAnswer(enum.Enum):
    WITHDRAWN = "withdrawn"        # the warehouse stopped it
    NEVER_HAD_IT = "never_had_it"  # the warehouse does not know the order, and no pick list is on its way
    TOO_LATE = "too_late"          # picking had started


def too_late_message() -> str:
    return _("The warehouse has started packing this order, so it can no longer be cancelled. "
             "Call Fælles Service Center if you need help.")


async def request_cancel(conn: asyncpg.Connection, citizen_id: int, order_id: int, actor: Actor) -> CancelResult:
    """The citizen (or a helper, or FSC) asks to cancel. Raises OrderRejected with the reason."""
    async with conn.transaction():
        order = await queries.lock_order(conn, order_id, citizen_id)
        if order is None:
            raise OrderRejected(_("Order not found."), status_code=404)
        if order["status"] == "cancelled":
            raise OrderRejected(_("This order has already been cancelled."))
        if order["cancel_state"] == "requested":
            return CancelResult.REQUESTED  # a second tap while we wait: nothing new to do
        if order["status"] not in CANCELLABLE or order["cancel_state"] == "refused":
            raise OrderRejected(too_late_message())
        if order["handoff_state"] is None:
            await queries.mark_confirmed(conn, order_id, withdrawn=False)
            await log_event(conn, actor_kind=actor.kind, actor_id=actor.id, citizen_id=citizen_id,
                            action="order_cancelled", detail={"order_id": order_id})
            return CancelResult.CONFIRMED
        await queries.mark_requested(conn, order_id)
        await jobs.enqueue(conn, WITHDRAW_JOB, {"order_id": order_id}, dedupe_key=f"{WITHDRAW_JOB}:{order_id}")
        await log_event(conn, actor_kind=actor.kind, actor_id=actor.id, citizen_id=citizen_id,
                        action="order_cancel_requested", detail={"order_id": order_id})
        return CancelResult.REQUESTED


async def settle(conn: asyncpg.Connection, order_id: int, answer: WarehouseAnswer, detail: str = "") -> bool:
    """Record the warehouse's answer to a withdrawal; False when no cancel was waiting for it."""
    async with conn.transaction():
        order = await queries.lock_order(conn, order_id)
        if order is None or order["cancel_state"] != "requested":
            return False
        if answer is WarehouseAnswer.TOO_LATE:
            await queries.mark_refused(conn, order_id)
            await attention.flag(conn, order_id, "cancel_refused", detail)
            await notify_parcel_change(conn, order_id, 1, "cancel_refused")
            action = "order_cancel_refused"
        else:
            await queries.mark_confirmed(conn, order_id, withdrawn=answer is WarehouseAnswer.WITHDRAWN)
            await notify_parcel_change(conn, order_id, 1, "cancelled")
            action = "order_cancelled"
        await log_event(conn, actor_kind="system", actor_id=None, citizen_id=order["citizen_id"], action=action,
                        detail={"order_id": order_id, "answer": answer.value})
        return True


async def reinstate_if_shipping(conn: asyncpg.Connection, order: asyncpg.Record) -> bool:
    """For an event about a cancelled order (``order`` locked by the caller): when the warehouse never
    confirmed a withdrawal, it has the order after all, so the cancel did not happen; True then."""
    if order["status"] != "cancelled" or order["withdrawal_confirmed"]:
        return False
    await queries.reinstate(conn, order["id"])
    await attention.flag(conn, order["id"], "cancel_refused", "the warehouse reported on the order after it was cancelled")
    await notify_parcel_change(conn, order["id"], 1, "cancel_refused")
    await log_event(conn, actor_kind="system", actor_id=None, citizen_id=order["citizen_id"],
                    action="order_cancel_refused", detail={"order_id": order["id"], "answer": "shipping"})
    return True
