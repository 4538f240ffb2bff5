"""Example bodies of the grant intake API for the OpenAPI schema and the README. A unit test
decodes each with the real structs, so they cannot drift. Everything here is invented."""

from __future__ import annotations

from typing import Any

DISCHARGE: dict[str, Any] = {
    "reference": "RM-AUH-2026-004711",
    "citizen": {"cpr": "120356-1234", "name": "Jens Hansen", "street": "Skolevej 3", "postcode": "8660",
                "city": "Skanderborg", "municipality_code": 746, "phone": "+45 20 30 40 50",
                "stoma_since": "2026-11-20"},
    "product": {"hmi_no": "504233"},
    "area": "stomi",
    "quantity_per_period": 40,
    "period_days": 30,
    "valid_from": "2026-11-25",
    "valid_to": "2027-02-28",
}
"""A discharge grant from Region Midtjylland (hospital): the region pays for the first period."""

MUNICIPAL: dict[str, Any] = {
    "reference": "SKB-HJ-2026-0815",
    "citizen": {"cpr": "1203561234", "name": "Jens Hansen", "street": "Skolevej 3", "postcode": "8660",
                "city": "Skanderborg", "municipality_code": 746, "phone": "+45 20 30 40 50"},
    "product": {"manufacturer": "Coloplast", "item_no": "17452"},
    "quantity_per_period": 40,
    "period_days": 30,
    "valid_from": "2027-01-15",
}
"""The municipality's grant for the same product: it takes over from its start date (the
discharge grant then ends the day before)."""

CHANGE: dict[str, Any] = {"quantity_per_period": 60}
END: dict[str, Any] = {"valid_to": "2027-06-30"}

PROBLEM: dict[str, Any] = {
    "type": "urn:faelles-bestilling:problem:invalid-grant",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The period must be from 1 to 366 days. The end date is before the start date.",
    "errors": [
        {"field": "period_days", "code": "bad_period", "detail": "The period must be from 1 to 366 days."},
        {"field": "valid_to", "code": "end_before_start", "detail": "The end date is before the start date."},
    ],
}
