"""The v1 JSON contract: strict decoding, tagged events, field errors for a 422."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from backend.warehouse import examples
from backend.warehouse.protocol import (
    EVENT_TYPES,
    BackorderDecision,
    DeliveryFailedEvent,
    HandedToCarrierEvent,
    ItemBackorderedEvent,
    PickList,
    ReceivedEvent,
    Withdrawal,
    decode,
    decode_event,
    encode,
    field_errors,
)

UTC = dt.UTC
BASE = {"event_id": "evt-1", "order_id": 42, "occurred_at": "2026-11-23T09:15:00Z"}
PICK_LIST = examples.PICK_LIST


def body(**fields) -> bytes:
    return msgspec.json.encode(BASE | fields)


def errors_for(data: bytes, type_=None) -> list[dict]:
    with pytest.raises(msgspec.MsgspecError) as info:
        decode_event(data) if type_ is None else decode(data, type_)
    return field_errors(info.value)


def test_every_event_type_decodes_to_its_struct():
    extra = {
        "handed_to_carrier": {"carrier": "PostNord", "tracking_no": "00370712345678901234",
                              "tracking_url": "https://tracking.example.com/00370712345678901234"},
        "delivery_failed": {"reason": "Recipient not at home", "attempt": 1},
        "item_backordered": {"item_no": "SEN-12345", "expected_date": "2026-12-01"},
        "returned": {"reason": "Not collected"},
    }
    for event_type in EVENT_TYPES:
        event = decode_event(body(type=event_type, **extra.get(event_type, {})))
        assert type(event).__struct_config__.tag == event_type
        assert event.order_id == 42 and event.parcel_no == 1
        assert event.occurred_at == dt.datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
        assert decode_event(encode(event)) == event


def test_typed_fields_and_defaults():
    handed = decode_event(body(type="handed_to_carrier", carrier="GLS", tracking_no="123",
                               tracking_url="https://gls.example.com/123", parcel_no=2))
    assert isinstance(handed, HandedToCarrierEvent) and handed.parcel_no == 2
    backordered = decode_event(body(type="item_backordered", item_no="X1", expected_date="2026-12-01"))
    assert isinstance(backordered, ItemBackorderedEvent)
    assert backordered.expected_date == dt.date(2026, 12, 1) and backordered.reason is None
    failed = decode_event(body(type="delivery_failed", reason="No access"))
    assert isinstance(failed, DeliveryFailedEvent) and failed.attempt == 1


def test_unknown_extra_fields_are_ignored_for_forward_compatibility():
    assert isinstance(decode_event(body(type="received", warehouse_site="Vejle")), ReceivedEvent)


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (body(type="teleported"), "type", "known event types: received"),
        (msgspec.json.encode({"event_id": "e", "order_id": 1}), "type", "required"),
        (body(type="handed_to_carrier", carrier="GLS", tracking_no="1"), "tracking_url", "required"),
        (body(type="handed_to_carrier", carrier="GLS", tracking_no="1", tracking_url="javascript:alert(1)"),
         "tracking_url", "regex"),
        (body(type="received", order_id="42"), "order_id", "Expected `int`"),
        (body(type="received", order_id=0), "order_id", ">= 1"),
        (body(type="received", occurred_at="2026-11-23T09:15:00"), "occurred_at", "timezone"),
        (body(type="received", occurred_at="2026-11-23T10:15:00+01:00"), "occurred_at", "UTC"),
        (body(type="received", event_id=""), "event_id", "length >= 1"),
        (body(type="received", event_id="a b"), "event_id", "regex"),
        (body(type="received", parcel_no=0), "parcel_no", ">= 1"),
        (body(type="delivery_failed"), "reason", "required"),
        (body(type="item_backordered", item_no="X", expected_date="soon"), "expected_date", "date"),
        (b"[1, 2]", None, "Expected `object`"),
        (b"{not json", None, "not valid JSON"),
        (b"", None, "not valid JSON"),
    ],
)
def test_bad_events_give_one_field_error(data, field, fragment):
    errors = errors_for(data)
    assert len(errors) == 1
    assert errors[0]["field"] == field
    assert fragment in errors[0]["message"]


def test_pick_list_round_trip():
    pick_list = decode(msgspec.json.encode(PICK_LIST), PickList)
    assert pick_list.packaging == "discreet"
    assert pick_list.delivery.method == "home" and pick_list.delivery.country == "DK"
    assert pick_list.lines[0].packs == 3 and pick_list.expected_delivery == dt.date(2026, 11, 26)
    assert decode(encode(pick_list), PickList) == pick_list


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"lines": []}, "lines", "length >= 1"),
        ({"packaging": "gift wrap"}, "packaging", "Invalid enum value"),
        ({"created_at": "2026-11-23T10:00:00+01:00"}, "created_at", "UTC"),
        ({"lines": PICK_LIST["lines"] * 2}, "lines", "only one line"),
        ({"delivery": PICK_LIST["delivery"] | {"postcode": "DK-8000"}}, "delivery.postcode", "regex"),
        ({"delivery": PICK_LIST["delivery"] | {"method": "pickup_point", "leave_at_door": False}},
         "delivery.pickup_point_id", "required"),
        ({"delivery": PICK_LIST["delivery"] | {"method": "pickup_point", "pickup_point_id": "PN-1"}},
         "delivery.leave_at_door", "pickup point"),
        ({"delivery": PICK_LIST["delivery"] | {"pickup_point_id": "PN-1"}}, "delivery.pickup_point_id", "only"),
        ({"lines": [PICK_LIST["lines"][0] | {"packs": 0}]}, "lines[0].packs", ">= 1"),
    ],
)
def test_bad_pick_lists_name_the_field(change, field, fragment):
    errors = errors_for(msgspec.json.encode(PICK_LIST | change), PickList)
    assert errors[0]["field"] == field
    assert fragment in errors[0]["message"]


def test_the_documented_examples_decode():
    assert decode(msgspec.json.encode(examples.PICK_LIST), PickList).order_id == 42
    assert decode(msgspec.json.encode(examples.WITHDRAWAL), Withdrawal).order_id == 42
    assert decode(msgspec.json.encode(examples.BACKORDER_DECISION), BackorderDecision).decision == "split"
    assert set(examples.EVENTS) == set(EVENT_TYPES)
    for event_type, example in examples.EVENTS.items():
        assert type(decode_event(msgspec.json.encode(example))).__struct_config__.tag == event_type
