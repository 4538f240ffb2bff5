"""Parcel status rules: never regress, any order of the same events gives the same result."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.warehouse import protocol as p
from backend.warehouse.status import (
    INITIAL,
    ParcelStatus,
    Progress,
    apply,
    apply_event,
    can_withdraw,
    fold,
    fold_parcels,
    rank,
)

S = ParcelStatus
AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
_ids = itertools.count()


def make(event_type: str, parcel_no: int = 1, **fields) -> p.WarehouseEvent:
    defaults = {
        "handed_to_carrier": {"carrier": "PostNord", "tracking_no": "1", "tracking_url": "https://t.example.com/1"},
        "delivery_failed": {"reason": "Recipient not at home"},
        "item_backordered": {"item_no": "SEN-1", "expected_date": dt.date(2026, 12, 1)},
        "returned": {"reason": "Not collected"},
    }
    cls = p.EVENT_CLASSES[event_type]
    return cls(event_id=f"e{next(_ids)}", order_id=7, occurred_at=AT, parcel_no=parcel_no,
               **(defaults.get(event_type, {}) | fields))


def test_happy_path_moves_through_every_status_in_order():
    progress = INITIAL
    seen = [progress.status]
    for event_type in ("received", "picking", "packed", "handed_to_carrier", "out_for_delivery", "delivered"):
        progress = apply(progress, event_type)
        seen.append(progress.status)
    assert seen == [S.PLACED, S.RECEIVED, S.PICKING, S.PACKED, S.HANDED_TO_CARRIER, S.OUT_FOR_DELIVERY,
                    S.DELIVERED]


@pytest.mark.parametrize("late", ["received", "picking", "packed", "handed_to_carrier", "out_for_delivery",
                                  "delivery_failed"])
def test_a_late_event_never_moves_delivered_back(late):
    assert apply(Progress(S.DELIVERED), late) == Progress(S.DELIVERED)
    assert apply(Progress(S.DELIVERED), late, attempt=5) == Progress(S.DELIVERED)


def test_failed_attempt_then_a_new_attempt_then_delivered():
    progress = fold([make("out_for_delivery"), make("delivery_failed")])
    assert progress == Progress(S.DELIVERY_FAILED, 1)
    assert apply(progress, "out_for_delivery", attempt=1) == progress  # the failed attempt, reported late
    progress = apply(progress, "out_for_delivery", attempt=2)
    assert progress == Progress(S.OUT_FOR_DELIVERY, 2)
    assert apply(progress, "delivered") == Progress(S.DELIVERED)
    assert apply(Progress(S.DELIVERY_FAILED, 1), "delivered") == Progress(S.DELIVERED)


def test_returned_is_terminal_and_may_follow_delivered():
    assert apply(Progress(S.DELIVERY_FAILED, 2), "returned") == Progress(S.RETURNED)
    assert apply(Progress(S.DELIVERED), "returned") == Progress(S.RETURNED)
    for event_type in ("delivered", "out_for_delivery", "received"):
        assert apply(Progress(S.RETURNED), event_type, attempt=9) == Progress(S.RETURNED)


def test_backorder_does_not_move_the_status():
    assert apply(Progress(S.PICKING), "item_backordered") == Progress(S.PICKING)
    assert apply_event(Progress(S.PICKING), make("item_backordered")) == Progress(S.PICKING)


def test_unknown_or_invalid_event_types_are_errors():
    with pytest.raises(ValueError):
        apply(INITIAL, "teleported")
    with pytest.raises(ValueError):
        apply(INITIAL, "placed")
    with pytest.raises(ValueError):
        apply(INITIAL, "out_for_delivery", attempt=0)


def test_every_protocol_event_type_is_known_to_the_rules():
    for event_type in p.EVENT_TYPES:
        apply_event(INITIAL, make(event_type))


def test_parcels_are_folded_separately():
    events = [make("received"), make("picking"), make("item_backordered"), make("packed"),
              make("picking", parcel_no=2), make("delivered"), make("packed", parcel_no=2)]
    assert fold_parcels(events) == {1: Progress(S.DELIVERED), 2: Progress(S.PACKED)}


def test_withdrawal_only_before_picking():
    assert can_withdraw(INITIAL) and can_withdraw(Progress(S.RECEIVED))
    assert not can_withdraw(Progress(S.PICKING)) and not can_withdraw(Progress(S.DELIVERED))


# --- property: any order, any duplicates → same result, never a step back --------------------


@st.composite
def realistic_lifecycle(draw: st.DrawFn) -> list[p.WarehouseEvent]:
    """A sequence a real warehouse and carrier could send, in the order things happened."""
    events = [make("received"), make("picking")]
    if draw(st.booleans()):
        events.append(make("item_backordered"))
    events += [make("packed"), make("handed_to_carrier")]
    failures = draw(st.integers(min_value=0, max_value=3))
    for attempt in range(1, failures + 1):
        events += [make("out_for_delivery", attempt=attempt), make("delivery_failed", attempt=attempt)]
    ending = draw(st.sampled_from(["delivered", "returned", "delivered_then_returned", "in_transit"]))
    if ending == "returned" and failures == 0:
        ending = "delivered"
    if ending in ("delivered", "delivered_then_returned", "in_transit"):
        events.append(make("out_for_delivery", attempt=failures + 1))
    if ending in ("delivered", "delivered_then_returned"):
        events.append(make("delivered"))
    if ending in ("returned", "delivered_then_returned"):
        events.append(make("returned"))
    cut = draw(st.integers(min_value=1, max_value=len(events)))  # the parcel may still be on its way
    return events[:cut]


@st.composite
def shuffled_with_duplicates(draw: st.DrawFn) -> tuple[list[p.WarehouseEvent], list[p.WarehouseEvent]]:
    in_order = draw(realistic_lifecycle())
    repeats = draw(st.lists(st.sampled_from(in_order), max_size=len(in_order)))
    delivered = draw(st.permutations(in_order + repeats))
    return in_order, delivered


@settings(max_examples=400, deadline=None)
@given(shuffled_with_duplicates())
def test_any_order_with_duplicates_ends_where_the_in_order_sequence_ends(case):
    in_order, delivered = case
    expected = fold(in_order)
    progress = INITIAL
    for event in delivered:
        following = apply_event(progress, event)
        assert rank(following) >= rank(progress), (progress, event)
        progress = following
    assert progress == expected


@settings(max_examples=200, deadline=None)
@given(realistic_lifecycle())
def test_in_order_every_status_changing_event_moves_forward(in_order):
    progress = INITIAL
    for event in in_order:
        following = apply_event(progress, event)
        if isinstance(event, p.ItemBackorderedEvent):
            assert following == progress
        else:
            assert rank(following) > rank(progress), (progress, event)
            assert following.status == event.__struct_config__.tag
        progress = following
