"""Placing orders: grant rules, exactly-once keys, row locks, the outbox job (cancelling: cancel.py).

Every order goes through ``place_order`` whoever places it (the citizen's one tap, a custom
order, FSC staff by phone), so the same rules and the same idempotency apply everywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import asyncpg
import msgspec

from backend import jobs
from backend.audit import log_event
from backend.calendar_dk import add_working_days
from backend.grants.rules import (
    GrantTerms,
    Orderable,
    Reason,
    allocate,
    municipality_gate,
    orderable,
    rule_config,
    supply_horizon_days,
    usual_packs,
)
from backend.i18n import format_date
from backend.i18n import gettext as _
from backend.orders import queries
from backend.parcels.queries import decide_backorders, insert_first_parcel, insert_split_parcel
from backend.push import notify_parcel_change
from backend.orders.models import (
    Actor,
    DeliveryChoice,
    DeliveryMethod,
    DeliveryPlan,
    LineRequest,
    OrderRejected,
    PlaceOrder,
    PlacedOrder,
)

MAX_PACKS_PER_LINE = 1000
MAX_NOTE_LENGTH = 200


class BasketLine(msgspec.Struct, frozen=True):
    grant_id: int
    product_id: int
    product_name: str
    pack_size: int
    usual_packs: int     # the one-tap quantity: last order's packs, else one period's quota, clipped
    limit: Orderable     # what may be ordered now, and why not


def terms_of(row: asyncpg.Record) -> GrantTerms:
    return GrantTerms(row["quantity_per_period"], row["period_days"], row["valid_from"], row["valid_to"])


def reason_text(reason: Reason, date: dt.date | None) -> str:
    """Plain-language explanation of why nothing more can be ordered, with the date it changes."""
    when = format_date(date) if date else ""
    if reason is Reason.QUOTA_USED:
        if date:
            return _("You have ordered what your grant allows for now. You can order more from %(date)s.") % {"date": when}
        return _("You have ordered what your grant allows before it ends.")
    if reason is Reason.NOT_YET_VALID:
        return _("Your grant starts on %(date)s.") % {"date": when}
    if reason is Reason.EXPIRED:
        return _("Your grant ended on %(date)s. Contact your municipality to have it renewed.") % {"date": when}
    if reason is Reason.NOT_LIVE:
        if date:
            return _("Your municipality starts using Fælles Bestilling on %(date)s. Until then, order from your current supplier.") % {"date": when}
        return _("Your municipality has not started using Fælles Bestilling yet. Order from your current supplier.")
    if reason is Reason.NOT_PARTICIPATING:
        return _("Your municipality does not take part in Fælles Bestilling. Order from your current supplier.")
    return ""


async def allocated_by_grant(conn: asyncpg.Connection, grants: list[asyncpg.Record],
                             today: dt.date) -> dict[int, dict[dt.date, int]]:
    """Pieces already allocated per grant and period, from the current period on."""
    since = today - dt.timedelta(days=max((g["period_days"] for g in grants), default=0))
    allocated: dict[int, dict[dt.date, int]] = {}
    for row in await queries.select_allocations(conn, [g["id"] for g in grants], since):
        allocated.setdefault(row["grant_id"], {})[row["period_start"]] = row["pieces"]
    return allocated


async def basket(conn: asyncpg.Connection, citizen: asyncpg.Record, grants: list[asyncpg.Record],
                 allocated: dict[int, dict[dt.date, int]], today: dt.date) -> list[BasketLine]:
    """What each grant allows now and the usual quantity, for the given (possibly locked) grant rows."""
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    usual = await queries.select_last_order_packs(conn, citizen["id"])
    lines = []
    for grant in grants:
        terms = terms_of(grant)
        limit = orderable(terms, allocated.get(grant["id"], {}), today, horizon, grant["pack_size"])
        packs = usual_packs(grant["quantity_per_period"], grant["pack_size"], usual.get(grant["id"]), limit.packs)
        lines.append(BasketLine(grant["id"], grant["product_id"], grant["product_name"], grant["pack_size"],
                                packs, limit))
    return lines


def request_hash(request: PlaceOrder) -> bytes:
    """What a key was used for: the citizen, the basket (or 'one tap') and the delivery choice."""
    lines = sorted((line.grant_id, line.packs) for line in request.lines) if request.lines is not None else "one-tap"
    return hashlib.sha256(msgspec.json.encode([request.citizen_id, lines, request.delivery])).digest()


def _replayed(request: PlaceOrder, digest: bytes, order_id: int | None, citizen_id: int | None,
              hashed: bytes | None) -> PlacedOrder | None:
    """The order already placed with the request's key (order_id, its citizen and request hash), if any."""
    if order_id is None:
        return None
    if citizen_id != request.citizen_id or bytes(hashed or b"") != digest:
        raise OrderRejected(_("This order request was already used for another order. Reload the page and try again."))
    return PlacedOrder(order_id, replayed=True)


async def _replay(conn: asyncpg.Connection, request: PlaceOrder, digest: bytes) -> PlacedOrder | None:
    existing = await queries.select_order_by_key(conn, request.key)
    if existing is None:
        return None
    return _replayed(request, digest, existing["id"], existing["citizen_id"], existing["request_hash"])


async def delivery_plan(conn: asyncpg.Connection, citizen: asyncpg.Record, choice: DeliveryChoice | None,
                        today: dt.date) -> DeliveryPlan:
    """Resolve the delivery: the explicit choice, else the citizen's standing choice (a temporary
    address covering the delivery date is used automatically)."""
    expected = add_working_days(today, rule_config(citizen["rules"]).delivery_working_days)
    explicit = choice is not None
    if choice is None:
        choice = DeliveryChoice(DeliveryMethod(citizen["pref_method"]), citizen["pref_pickup_point_id"],
                                citizen["leave_at_door_allowed"], citizen["pref_driver_note"])
    if choice.leave_at_door and not citizen["leave_at_door_allowed"]:
        raise OrderRejected(_("The parcel can only be left at your door if you have allowed it under delivery settings."))
    if len(choice.driver_note) > MAX_NOTE_LENGTH:
        raise OrderRejected(_("The note to the driver can be at most %(count)s characters.") % {"count": MAX_NOTE_LENGTH})
    note = choice.driver_note.strip()
    name = citizen["name"]
    if choice.method is DeliveryMethod.PICKUP_POINT:
        point = await queries.select_pickup_point(conn, choice.pickup_point_id) if choice.pickup_point_id else None
        if point is None:
            raise OrderRejected(_("Choose a pickup point from the list."))
        return DeliveryPlan(choice.method, name, point["street"], point["postcode"], point["city"], point["id"],
                            False, note, expected)
    temporary = await queries.select_temporary_address(conn, citizen["id"], expected)
    if choice.method is DeliveryMethod.TEMPORARY or (temporary is not None and not explicit):
        if temporary is None:
            raise OrderRejected(_("You have no temporary address on the delivery date."))
        return DeliveryPlan(DeliveryMethod.TEMPORARY, name, temporary["street"], temporary["postcode"],
                            temporary["city"], None, choice.leave_at_door, note, expected)
    return DeliveryPlan(DeliveryMethod.HOME, name, citizen["street"], citizen["postcode"], citizen["city"], None,
                        choice.leave_at_door, note, expected)


def check_lines(requested: tuple[LineRequest, ...] | None, lines: list[BasketLine]) -> list[tuple[BasketLine, int]]:
    """(basket line, packs) to order (None = one tap); raises OrderRejected with a translated reason."""
    by_grant = {line.grant_id: line for line in lines}
    if requested is None:  # one tap
        chosen = [(line, line.usual_packs) for line in lines if line.usual_packs > 0]
        if not chosen:
            reasons = [reason_text(line.limit.reason, line.limit.date) for line in lines if line.limit.reason is not Reason.OK]
            raise OrderRejected(reasons[0] if reasons else _("There is nothing to order right now."))
        return chosen
    chosen = []
    for wanted in requested:
        line = by_grant.get(wanted.grant_id)
        if line is None:
            raise OrderRejected(_("That product is not among your grants."), status_code=404)
        if wanted.packs < 0 or wanted.packs > MAX_PACKS_PER_LINE:
            raise OrderRejected(_("The number of packs must be a whole number from 0 and up."), grant_id=line.grant_id)
        if wanted.packs > line.limit.packs:
            message = (_("%(product)s: you can order at most %(count)s packs now.")
                       % {"product": line.product_name, "count": line.limit.packs})
            if line.limit.reason is not Reason.OK:
                message = f"{line.product_name}: {reason_text(line.limit.reason, line.limit.date)}"
            raise OrderRejected(message, grant_id=line.grant_id)
        if wanted.packs:
            chosen.append((line, wanted.packs))
    if not chosen:
        raise OrderRejected(_("Choose at least one pack of one product."))
    return chosen


async def place_order(conn: asyncpg.Connection, request: PlaceOrder, today: dt.date) -> PlacedOrder:
    """Place an order exactly once per key; never more than the grants allow, also under concurrency."""
    digest = request_hash(request)
    try:
        async with conn.transaction():
            return await _place(conn, request, digest, today)
    except asyncpg.UniqueViolationError:
        # The same key committed by a concurrent request between our check and our insert.
        replay = await _replay(conn, request, digest)
        if replay is None:
            raise
        return replay


async def _place(conn: asyncpg.Connection, request: PlaceOrder, digest: bytes, today: dt.date) -> PlacedOrder:
    citizen = await queries.select_citizen_for_ordering_and_key(conn, request.citizen_id, request.key)
    if citizen is None:
        raise OrderRejected(_("Unknown citizen."), status_code=404)
    replay = _replayed(request, digest, citizen["key_order_id"], citizen["key_citizen_id"], citizen["key_request_hash"])
    if replay is not None:
        return replay
    gate, gate_date = municipality_gate(citizen["participates"], citizen["go_live"], today)
    if gate is not Reason.OK:
        raise OrderRejected(reason_text(gate, gate_date))
    wanted_ids = None if request.lines is None else sorted({line.grant_id for line in request.lines})
    grants = await queries.lock_grants(conn, request.citizen_id, wanted_ids)
    # Waiting for the locks may have let a concurrent request with the same key commit.
    if (replay := await _replay(conn, request, digest)) is not None:
        return replay
    allocated = await allocated_by_grant(conn, grants, today)
    lines = await basket(conn, citizen, grants, allocated, today)
    chosen = check_lines(request.lines, lines)
    plan = await delivery_plan(conn, citizen, request.delivery, today)
    horizon = supply_horizon_days(citizen["stoma_since"], today, rule_config(citizen["rules"]))
    allocation_rows = []
    grant_rows = {g["id"]: g for g in grants}
    for line, packs in chosen:
        terms = terms_of(grant_rows[line.grant_id])
        for period_start, pieces in allocate(terms, allocated.get(line.grant_id, {}), today, horizon,
                                             packs * line.pack_size):
            allocation_rows.append((line.grant_id, period_start, pieces))
    order_id = await queries.insert_order(
        conn,
        {"citizen_id": request.citizen_id, "status": "placed", "placed_by_kind": request.actor.kind,
         "placed_by_id": request.actor.id, "idempotency_key": request.key, "request_hash": digest,
         "delivery_method": plan.method.value, "recipient_name": plan.recipient_name, "street": plan.street,
         "postcode": plan.postcode, "city": plan.city, "pickup_point_id": plan.pickup_point_id,
         "leave_at_door": plan.leave_at_door, "driver_note": plan.driver_note,
         "expected_delivery": plan.expected_delivery},
        lines=[(line.grant_id, line.product_id, packs, packs * line.pack_size) for line, packs in chosen],
        allocations=allocation_rows,
    )
    await insert_first_parcel(conn, order_id)
    await notify_parcel_change(conn, order_id, 1, "placed")
    await jobs.enqueue(conn, "order_placed", {"order_id": order_id}, dedupe_key=f"order_placed:{order_id}")
    await log_event(conn, actor_kind=request.actor.kind, actor_id=request.actor.id, citizen_id=request.citizen_id,
                    action="order_placed", detail={"order_id": order_id, "one_tap": request.lines is None})
    return PlacedOrder(order_id, replayed=False)


async def decide_backorder(conn: asyncpg.Connection, citizen_id: int, order_id: int, decision: str,
                           actor: Actor) -> None:
    """The citizen's answer to a backordered item: wait and ship everything together, or split."""
    if decision not in ("wait", "split"):
        raise OrderRejected(_("Choose whether to wait or to have the rest sent now."))
    async with conn.transaction():
        order = await queries.lock_order(conn, citizen_id, order_id)
        if order is None:
            raise OrderRejected(_("Order not found."), status_code=404)
        if order["status"] not in ("placed", "received", "picking", "packed"):
            raise OrderRejected(_("There is no missing product to decide about on this order."))
        if not await decide_backorders(conn, order_id, decision, actor.kind, actor.id):
            raise OrderRejected(_("There is no missing product to decide about on this order."))
        if decision == "split":
            await insert_split_parcel(conn, order_id)  # the only way a second parcel comes to be
        await jobs.enqueue(conn, "backorder_decision", {"order_id": order_id, "decision": decision},
                           dedupe_key=f"backorder_decision:{order_id}")
        await log_event(conn, actor_kind=actor.kind, actor_id=actor.id, citizen_id=citizen_id,
                        action="backorder_decided", detail={"order_id": order_id, "decision": decision})
