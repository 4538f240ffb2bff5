"""The simulator's choices: deterministic per seed and order, realistic sequences, valid events."""

from __future__ import annotations

import datetime as dt
import random

from backend.warehouse import protocol as p
from backend.warehouse.sim_lifecycle import (
    BACKORDER_REASON,
    backorder_fields,
    backordered_line,
    carrier_details,
    delivery_steps,
    rng_for,
)
from backend.warehouse.status import INITIAL, ParcelStatus, apply

LINES = [p.PickLine(item_no=f"I{n}", manufacturer="Coloplast", name=f"Product {n}", packs=1, pack_size=10)
         for n in range(3)]
PICK_LIST = p.PickList(
    order_id=9, reference="FB-9", created_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), lines=LINES,
    delivery=p.Delivery(recipient_name="A B", address_lines=["Vej 1"], postcode="7100", city="Vejle"),
)


def types(steps):
    return [event_type for event_type, _fields in steps]


def test_same_seed_and_order_same_choices_other_orders_differ():
    assert delivery_steps(rng_for(3, 9), 0.5, 9) == delivery_steps(rng_for(3, 9), 0.5, 9)
    assert carrier_details(rng_for(3, 9), 9, 1) == carrier_details(rng_for(3, 9), 9, 1)
    runs = {tuple(carrier_details(rng_for(3, order_id), order_id, 1).values()) for order_id in range(20)}
    assert len(runs) > 10


def test_rates_zero_and_one():
    assert types(delivery_steps(random.Random(1), 0.0, 9)) == ["handed_to_carrier", "out_for_delivery", "delivered"]
    assert types(delivery_steps(random.Random(1), 1.0, 9)) == [
        "handed_to_carrier", "out_for_delivery", "delivery_failed", "out_for_delivery", "delivery_failed", "returned"]
    assert backordered_line(random.Random(1), PICK_LIST, 0.0) is None
    assert backordered_line(random.Random(1), PICK_LIST, 1.0) in LINES


def test_one_failure_then_delivered_happens():
    seen = {tuple(types(delivery_steps(random.Random(seed), 0.5, 9))) for seed in range(50)}
    assert ("handed_to_carrier", "out_for_delivery", "delivery_failed", "out_for_delivery", "delivered") in seen


def test_steps_make_valid_events_that_move_the_status_forward():
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    for seed in range(30):
        rng = random.Random(seed)
        progress = INITIAL
        for n, (event_type, fields) in enumerate(delivery_steps(rng, 0.5, 9)):
            event = p.EVENT_CLASSES[event_type](event_id=f"e{n}", order_id=9, occurred_at=at, **fields)
            assert p.decode_event(p.encode(event)) == event
            following = apply(progress, event_type, fields.get("attempt", 1))
            assert following != progress
            progress = following
        assert progress.status in (ParcelStatus.DELIVERED, ParcelStatus.RETURNED)


def test_backorder_fields():
    fields = backorder_fields(random.Random(2), LINES[1], dt.date(2026, 11, 23))
    assert fields["item_no"] == "I1" and fields["reason"] == BACKORDER_REASON
    assert dt.date(2026, 11, 26) <= fields["expected_date"] <= dt.date(2026, 12, 3)
    handed = carrier_details(random.Random(2), 9, 1)
    assert handed["tracking_url"].startswith("https://") and handed["tracking_no"].isdigit()
