"""Parsing the order forms (citizen's custom order, FSC order by phone) into order requests."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request

from backend.i18n import gettext as _
from backend.orders.models import DeliveryChoice, DeliveryMethod, LineRequest, OrderRejected
from backend.web.input import INT32_MAX, ascii_int

KEY_HEADER = "idempotency-key"


def idempotency_key(request: Request, form: dict[str, Any]) -> uuid.UUID:
    """The client's key: the htmx header or the hidden form field (they must agree when both are sent)."""
    values = {value for value in (request.headers.get(KEY_HEADER), form.get("idempotency_key")) if value}
    if len(values) != 1:
        raise OrderRejected(_("The order form is incomplete. Reload the page and try again."), status_code=400)
    try:
        return uuid.UUID(values.pop())
    except ValueError:
        raise OrderRejected(_("The order form is incomplete. Reload the page and try again."), status_code=400) from None


def delivery_choice(form: dict[str, Any]) -> DeliveryChoice:
    try:
        method = DeliveryMethod(form.get("delivery_method", "home"))
    except ValueError:
        raise OrderRejected(_("Choose where the parcel should be delivered.")) from None
    point = ascii_int(form.get("pickup_point_id") or "", 1, INT32_MAX)
    if method is DeliveryMethod.PICKUP_POINT and point is None:
        raise OrderRejected(_("Choose a pickup point from the list."))
    return DeliveryChoice(method, point, form.get("leave_at_door") == "1", str(form.get("driver_note", "")))


def requested_lines(form: dict[str, Any]) -> tuple[LineRequest, ...]:
    """Fields named packs-<grant id> with whole numbers of packs."""
    lines = []
    for name, value in form.items():
        if not name.startswith("packs-"):
            continue
        grant = ascii_int(name.removeprefix("packs-"), 1)
        packs = ascii_int(str(value).strip(), -INT32_MAX, INT32_MAX)
        if grant is None or packs is None:
            raise OrderRejected(_("The number of packs must be a whole number from 0 and up."), grant_id=grant)
        lines.append(LineRequest(grant, packs))
    if not lines:
        raise OrderRejected(_("Choose at least one pack of one product."))
    return tuple(lines)
