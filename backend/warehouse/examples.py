"""Example bodies of the v1 API, for OpenAPI descriptions (simulator and the app's webhook) and
docs. A unit test decodes every one of them with the real structs, so they cannot drift."""

from __future__ import annotations

from typing import Any

PICK_LIST: dict[str, Any] = {
    "order_id": 42,
    "reference": "FB-000042",
    "created_at": "2026-11-23T09:00:00Z",
    "delivery": {
        "recipient_name": "Karen Jensen",
        "address_lines": ["Skovvej 12", "1. tv."],
        "postcode": "8000",
        "city": "Aarhus C",
        "country": "DK",
        "method": "home",
        "pickup_point_id": None,
        "leave_at_door": True,
        "driver_note": "Behind the green gate",
        "phone": "+45 12 34 56 78",
    },
    "lines": [
        {"item_no": "SEN-12345", "hmi_no": "12345", "manufacturer": "Coloplast", "name": "SenSura Mio Click",
         "packs": 3, "pack_size": 30},
        {"item_no": "BRV-120", "hmi_no": None, "manufacturer": "Coloplast", "name": "Brava adhesive remover",
         "packs": 1, "pack_size": 12},
    ],
    "packaging": "discreet",
    "expected_delivery": "2026-11-26",
}

WITHDRAWAL: dict[str, Any] = {"order_id": 42, "reason": "Cancelled by the citizen"}

BACKORDER_DECISION: dict[str, Any] = {"order_id": 42, "decision": "split"}

_BASE: dict[str, Any] = {"order_id": 42, "parcel_no": 1}

EVENTS: dict[str, dict[str, Any]] = {
    "received": {"type": "received", "event_id": "wh-42-1", "occurred_at": "2026-11-23T09:05:00Z", **_BASE},
    "picking": {"type": "picking", "event_id": "wh-42-2", "occurred_at": "2026-11-23T10:12:00Z", **_BASE},
    "packed": {"type": "packed", "event_id": "wh-42-3", "occurred_at": "2026-11-23T10:31:00Z", **_BASE},
    "handed_to_carrier": {
        "type": "handed_to_carrier", "event_id": "wh-42-4", "occurred_at": "2026-11-23T15:45:00Z", **_BASE,
        "carrier": "PostNord", "tracking_no": "00370712345678901234",
        "tracking_url": "https://tracking.example.com/postnord/00370712345678901234",
    },
    "out_for_delivery": {
        "type": "out_for_delivery", "event_id": "wh-42-5", "occurred_at": "2026-11-24T07:30:00Z", **_BASE,
        "attempt": 1,
    },
    "delivered": {"type": "delivered", "event_id": "wh-42-6", "occurred_at": "2026-11-24T11:02:00Z", **_BASE},
    "delivery_failed": {
        "type": "delivery_failed", "event_id": "wh-42-7", "occurred_at": "2026-11-24T13:40:00Z", **_BASE,
        "reason": "Recipient not at home", "reason_code": "not_at_home", "attempt": 1,
    },
    "item_backordered": {
        "type": "item_backordered", "event_id": "wh-42-8", "occurred_at": "2026-11-23T10:20:00Z", **_BASE,
        "item_no": "SEN-12345", "expected_date": "2026-12-01", "reason": "Out of stock at the manufacturer",
        "reason_code": "out_of_stock_manufacturer",
    },
    "returned": {
        "type": "returned", "event_id": "wh-42-9", "occurred_at": "2026-11-28T09:00:00Z", **_BASE,
        "reason": "Not delivered after two attempts; returned to the warehouse", "reason_code": "attempts_exhausted",
    },
}
"""One example per event type, keyed by type."""
