"""The warehouse simulator's state and the timed lifecycle of each accepted pick list.

One asyncio task per order walks the lifecycle one step (``speed`` seconds) at a time:
received → picking → [item_backordered → hold] → packed → handed_to_carrier → out_for_delivery →
delivered (or delivery_failed → out_for_delivery(2) → delivered / returned). Each event gets a
unique, stable id and goes to the outbox, which delivers it (signed, with retries) to the app.

Backorder: the order holds for BACKORDER_STEPS steps until the item arrives, then ships whole
(decision ``wait``, also the default when the app says nothing). On ``split`` the rest ships at
once as parcel 1 and the backordered item follows as parcel 2 when it arrives.
State is in memory: the simulator forgets its orders when it stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import secrets
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from backend.warehouse import sim_lifecycle as plan
from backend.warehouse.protocol import (
    EVENT_CLASSES,
    Acceptance,
    PickList,
    WarehouseEvent,
    WithdrawalResult,
)
from backend.warehouse.sim_outbox import EventOutbox
from backend.warehouse.status import INITIAL, Progress, apply, can_withdraw

log = logging.getLogger("fsc.warehouse_sim")


class Refusal(Enum):
    UNKNOWN_ORDER = "unknown_order"
    CONFLICT = "conflict"


@dataclass
class SimOrder:
    pick_list: PickList
    acceptance: Acceptance
    progress: Progress = INITIAL
    seq: int = 0
    withdrawal: WithdrawalResult | None = None
    hold_open: bool = False
    """True while a backordered item holds the order and the app may still decide."""
    decision: Literal["wait", "split"] | None = None
    split: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Simulator:
    def __init__(
        self,
        outbox: EventOutbox,
        speed_s: float,
        failure_rate: float,
        backorder_rate: float,
        seed: int | None = None,
    ) -> None:
        self.outbox = outbox
        self.speed_s = speed_s
        self.failure_rate = failure_rate
        self.backorder_rate = backorder_rate
        self.seed = seed
        self.run_id = secrets.token_hex(4)
        """Part of every event id and warehouse reference: unique across simulator restarts."""
        self.orders: dict[int, SimOrder] = {}
        self.pick_lists_received = 0
        """Every pick list request that passed the signature check, repeats included."""

    # --- requests from the app (no awaits: each runs to completion on the event loop) -------

    def accept(self, pick_list: PickList) -> tuple[Acceptance, bool] | Refusal:
        """(acceptance, is_new); CONFLICT when the order id came before with another reference."""
        self.pick_lists_received += 1
        known = self.orders.get(pick_list.order_id)
        if known is not None:
            if known.pick_list.reference != pick_list.reference:
                return Refusal.CONFLICT
            return known.acceptance, False
        acceptance = Acceptance(order_id=pick_list.order_id, accepted_at=_now(),
                                warehouse_ref=f"WH-{self.run_id}-{pick_list.order_id}")
        order = SimOrder(pick_list=pick_list, acceptance=acceptance)
        self.orders[pick_list.order_id] = order
        order.tasks.append(asyncio.create_task(self._lifecycle(order)))
        log.info("accepted pick list for order %s (%d lines)", pick_list.order_id, len(pick_list.lines))
        return acceptance, True

    def withdraw(self, order_id: int) -> WithdrawalResult | Refusal:
        order = self.orders.get(order_id)
        if order is None:
            return Refusal.UNKNOWN_ORDER
        if order.withdrawal is not None:
            return order.withdrawal
        if not can_withdraw(order.progress):
            return Refusal.CONFLICT
        for task in order.tasks:
            task.cancel()
        order.withdrawal = WithdrawalResult(order_id=order_id, withdrawn_at=_now())
        log.info("withdrew order %s", order_id)
        return order.withdrawal

    def decide(self, order_id: int, decision: Literal["wait", "split"]) -> Refusal | None:
        order = self.orders.get(order_id)
        if order is None:
            return Refusal.UNKNOWN_ORDER
        if order.decision == decision:
            return None
        if not order.hold_open:
            return Refusal.CONFLICT
        order.decision = decision
        if decision == "split":
            order.split.set()
        return None

    # --- the lifecycle ----------------------------------------------------------------------

    async def _lifecycle(self, order: SimOrder) -> None:
        order_id = order.pick_list.order_id
        rng = plan.rng_for(self.seed, order_id)
        try:
            await self._step(order, "received")
            await self._step(order, "picking")
            line = plan.backordered_line(rng, order.pick_list, self.backorder_rate)
            if line is not None:
                await self._step(order, "item_backordered", **plan.backorder_fields(rng, line, dt.date.today()))
                await self._hold(order, rng)
            await self._step(order, "packed")
            for event_type, fields in plan.delivery_steps(rng, self.failure_rate, order_id):
                await self._step(order, event_type, **fields)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in the simulator must not pass silently
            log.exception("lifecycle of order %s failed", order_id)

    async def _hold(self, order: SimOrder, rng: random.Random) -> None:
        """Wait for the item to arrive, or ship the rest now when the app decides ``split``."""
        loop = asyncio.get_running_loop()
        arrives_at = loop.time() + plan.BACKORDER_STEPS * self.speed_s
        order.hold_open = True
        try:
            await asyncio.wait_for(order.split.wait(), timeout=plan.BACKORDER_STEPS * self.speed_s)
        except TimeoutError:
            return  # the item arrived; the whole order ships as one parcel
        finally:
            order.hold_open = False
        order.tasks.append(asyncio.create_task(self._second_parcel(order, rng, arrives_at)))

    async def _second_parcel(self, order: SimOrder, rng: random.Random, arrives_at: float) -> None:
        await asyncio.sleep(max(0.0, arrives_at - asyncio.get_running_loop().time()))
        order_id = order.pick_list.order_id
        await self._step(order, "picking", parcel_no=2)
        await self._step(order, "packed", parcel_no=2)
        for event_type, fields in plan.delivery_steps(rng, self.failure_rate, order_id, parcel_no=2):
            await self._step(order, event_type, parcel_no=2, **fields)

    async def _step(self, order: SimOrder, event_type: str, parcel_no: int = 1, **fields: Any) -> None:
        await asyncio.sleep(self.speed_s)
        order.seq += 1
        order_id = order.pick_list.order_id
        event: WarehouseEvent = EVENT_CLASSES[event_type](  # type: ignore[assignment]
            event_id=f"sim-{self.run_id}-{order_id}-{order.seq}",
            order_id=order_id,
            occurred_at=_now(),
            parcel_no=parcel_no,
            **fields,
        )
        if parcel_no == 1:
            order.progress = apply(order.progress, event_type, fields.get("attempt", 1))
        self.outbox.submit(event)
        log.info("order %s parcel %s: %s", order_id, parcel_no, event_type)

    async def aclose(self) -> None:
        tasks = [task for order in self.orders.values() for task in order.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
