"""The warehouse simulator's choices: what happens to a parcel, drawn from a seedable RNG.

Pure functions (no I/O, no clock): the simulator engine turns these steps into timed, signed
events. The same seed and order id always give the same lifecycle, whatever else runs.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from backend.warehouse.protocol import PickLine, PickList

MAX_ATTEMPTS = 2
"""Delivery attempts before the carrier returns the parcel to the warehouse."""
BACKORDER_STEPS = 4
"""Steps until a backordered item arrives at the warehouse."""

CARRIERS: tuple[tuple[str, str, int], ...] = (
    # name, tracking number prefix, digits
    ("PostNord", "00370", 15),
    ("GLS", "", 11),
    ("DAO", "", 14),
)
FAILURE_REASONS: tuple[tuple[str, str], ...] = (
    # (code, free text for people at the warehouse)
    ("not_at_home", "Recipient not at home"),
    ("no_safe_place", "No safe place to leave the parcel"),
    ("no_access", "No access to the building"),
    ("address_not_found", "Address could not be found"),
)
RETURN_REASON = "Not delivered after two attempts; returned to the warehouse"
BACKORDER_REASON = "Out of stock at the manufacturer"

Step = tuple[str, dict[str, Any]]
"""An event type and its type-specific fields."""


def rng_for(seed: int | None, order_id: int) -> random.Random:
    """The order's own RNG: seeded from (seed, order id), or from the system when seed is None."""
    return random.Random(f"{seed}:{order_id}") if seed is not None else random.Random()


def carrier_details(rng: random.Random, order_id: int, parcel_no: int) -> dict[str, str]:
    """Carrier, tracking number and tracking link for a ``handed_to_carrier`` event."""
    carrier, prefix, digits = rng.choice(CARRIERS)
    tracking_no = prefix + "".join(str(rng.randrange(10)) for _ in range(digits))
    return {
        "carrier": carrier,
        "tracking_no": tracking_no,
        "tracking_url": f"https://tracking.example.com/{carrier.lower()}/{tracking_no}",
    }


def delivery_steps(rng: random.Random, failure_rate: float, order_id: int, parcel_no: int = 1) -> list[Step]:
    """From ``handed_to_carrier`` to ``delivered`` — or, after MAX_ATTEMPTS failures, ``returned``."""
    steps: list[Step] = [("handed_to_carrier", carrier_details(rng, order_id, parcel_no))]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        steps.append(("out_for_delivery", {"attempt": attempt}))
        if rng.random() >= failure_rate:
            steps.append(("delivered", {}))
            return steps
        code, reason = rng.choice(FAILURE_REASONS)
        steps.append(("delivery_failed", {"attempt": attempt, "reason": reason, "reason_code": code}))
    steps.append(("returned", {"reason": RETURN_REASON, "reason_code": "attempts_exhausted"}))
    return steps


def backordered_line(rng: random.Random, pick_list: PickList, backorder_rate: float) -> PickLine | None:
    """The line that turns out to be out of stock, or None (the usual case)."""
    if rng.random() >= backorder_rate:
        return None
    return rng.choice(pick_list.lines)


def backorder_fields(rng: random.Random, line: PickLine, today: dt.date) -> dict[str, Any]:
    """Fields of an ``item_backordered`` event for this line."""
    return {
        "item_no": line.item_no,
        "expected_date": today + dt.timedelta(days=rng.randint(3, 10)),
        "reason": BACKORDER_REASON,
        "reason_code": "out_of_stock_manufacturer",
    }
