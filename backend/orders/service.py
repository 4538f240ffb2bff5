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
from backend.grants.availability import (
    Availability,
    GrantAvailability,
    assess,
    decode_rows,
    municipality_gate_of,
    reason_text,
)
from backend.grants.rules import Reason, rule_config
from backend.i18n import gettext as _
from backend.orders import queries
from backend.parcels.queries import decide_backorders, insert_split_parcel
from backend.push import notify_helper_order
from backend.push.notices import STATUS_NOTICES
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
    temporary = queries.temporary_on(queries.decode_temporaries(citizen["temporaries"]), expected)
    if choice.method is DeliveryMethod.TEMPORARY or (temporary is not None and not explicit):
        if temporary is None:
            raise OrderRejected(_("You have no temporary address on the delivery date."))
        return DeliveryPlan(DeliveryMethod.TEMPORARY, name, temporary.street, temporary.postcode,
                            temporary.city, None, choice.leave_at_door, note, expected)
    return DeliveryPlan(DeliveryMethod.HOME, name, citizen["street"], citizen["postcode"], citizen["city"], None,
                        choice.leave_at_door, note, expected)


def check_lines(requested: tuple[LineRequest, ...] | None,
                available: Availability) -> list[tuple[GrantAvailability, int]]:
    """(grant, packs) to order (None = one tap: the usual basket the home page offers); raises
    OrderRejected with a translated reason, the same the pages show."""
    if requested is None:  # one tap
        chosen = [(grant, grant.usual_packs) for grant in available.one_tap()]
        if not chosen:
            raise OrderRejected(available.refusal())
        return chosen
    by_grant = {grant.grant.id: grant for grant in available.grants}
    chosen = []
    for wanted in requested:
        grant = by_grant.get(wanted.grant_id)
        if grant is None:
            raise OrderRejected(_("That product is not among your grants."), status_code=404)
        name = grant.grant.product_name
        if wanted.packs < 0 or wanted.packs > MAX_PACKS_PER_LINE:
            raise OrderRejected(_("The number of packs must be a whole number from 0 and up."), grant_id=wanted.grant_id)
        if wanted.packs > grant.limit.packs:
            message = (_("%(product)s: you can order at most %(count)s packs now.")
                       % {"product": name, "count": grant.limit.packs})
            if grant.reason:
                message = f"{name}: {grant.reason}"
            raise OrderRejected(message, grant_id=wanted.grant_id)
        if wanted.packs:
            chosen.append((grant, wanted.packs))
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
    """Round trips, in the caller's transaction: the citizen with the key and the grants locked; the
    grants read under the locks; the order with everything it writes (orders.queries.insert_order)."""
    wanted_ids = None if request.lines is None else sorted({line.grant_id for line in request.lines})
    citizen = await queries.select_citizen_for_ordering_and_key(conn, request.citizen_id, request.key, today,
                                                                wanted_ids)
    if citizen is None:
        raise OrderRejected(_("Unknown citizen."), status_code=404)
    replay = _replayed(request, digest, citizen["key_order_id"], citizen["key_citizen_id"], citizen["key_request_hash"])
    if replay is not None:
        return replay
    gate, gate_date = municipality_gate_of(citizen, today)
    if gate is not Reason.OK:
        raise OrderRejected(reason_text(gate, gate_date))
    locked = set(citizen["locked_ids"])
    # Read after the locks: what is allocated now, and whether a concurrent request with the same
    # key committed while we waited for them.
    read = await queries.select_grants_and_key(conn, request.citizen_id, today, wanted_ids, request.key)
    if (replay := _replayed(request, digest, read["key_order_id"], read["key_citizen_id"],
                            read["key_request_hash"])) is not None:
        return replay
    available = assess(citizen, [row for row in decode_rows(read["grants_json"]) if row.id in locked], today)
    chosen = check_lines(request.lines, available)
    plan = await delivery_plan(conn, citizen, request.delivery, today)
    allocation_rows = [(grant.grant.id, period_start, pieces) for grant, packs in chosen
                       for period_start, pieces in available.allocation(grant, packs)]
    order_id = await queries.insert_order(
        conn,
        {"citizen_id": request.citizen_id, "status": "placed", "placed_by_kind": request.actor.kind,
         "placed_by_id": request.actor.id, "idempotency_key": request.key, "request_hash": digest,
         "delivery_method": plan.method.value, "recipient_name": plan.recipient_name, "street": plan.street,
         "postcode": plan.postcode, "city": plan.city, "pickup_point_id": plan.pickup_point_id,
         "leave_at_door": plan.leave_at_door, "driver_note": plan.driver_note,
         "expected_delivery": plan.expected_delivery},
        lines=[(grant.grant.id, grant.grant.product_id, packs, packs * grant.grant.pack_size)
               for grant, packs in chosen],
        allocations=allocation_rows,
        notice_type=STATUS_NOTICES["placed"].value, one_tap=request.lines is None,
    )
    if request.actor.kind == "relative":  # the citizen hears that a helper ordered for them
        await notify_helper_order(conn, order_id, request.citizen_id)
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
