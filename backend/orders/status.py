"""Order and parcel statuses in the citizen's words."""

from __future__ import annotations

from backend.catalog.labels import N_
from backend.i18n import gettext

STATUS_LABELS = {
    "placed": N_("Order received"),
    "received": N_("Received by the warehouse"),
    "picking": N_("Being packed"),
    "packed": N_("Packed"),
    "handed_to_carrier": N_("On its way"),
    "out_for_delivery": N_("Out for delivery today"),
    "delivered": N_("Delivered"),
    "delivery_failed": N_("Delivery attempt failed"),
    "returned": N_("Returned to the warehouse"),
    "cancelled": N_("Order cancelled"),
}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


# An order in one of these states will not move on by itself: nothing is on its way.
SETTLED = frozenset({"delivered", "cancelled", "returned"})


def parcel_on_its_way(status: str | None) -> bool:
    """The latest order has not arrived yet (and was not cancelled or returned)."""
    return status is not None and status not in SETTLED
