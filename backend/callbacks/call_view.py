"""The call view, one page for both kinds of call (a booked callback and an inbound call): the
citizen's context for the advisor, the outcome form and order by phone.

Showing it is an access to the citizen's data and is written to the access log with a reason:
the advisor's own call in progress implies it ("callback", or "inbound_call" for an inbound call);
any other call (somebody else's, a closed or cancelled one) asks for the reason first and shows
nothing of the citizen until it is picked (``?reason=…``).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import NotFoundException

from backend.callbacks import staff_queries as cq
from backend.callbacks.labels import OUTCOME_LABELS, STATUS_BADGES, TOPIC_LABELS, outcome_label, topic_label
from backend.callbacks.labels import status_label as callback_status_label
from backend.callbacks.rules import CLAIMABLE_STATUSES, MAX_ATTEMPTS, outcomes_for
from backend.grants.views import CitizenGrants, load_citizen_grants
from backend.i18n import gettext as _
from backend.orders.models import OrderRejected
from backend.orders.queries import select_order, select_pickup_points, select_temporary_address
from backend.orders.status import status_label
from backend.powers.staff_view import helpers_context
from backend.staff.access_reasons import CALLBACK, INBOUND_CALL, parse_reason, reason_choices
from backend.staff.models import StaffViewer
from backend.staff.queries import log_citizen_view
from backend.web.deps import local_today
from backend.web.input import ascii_int
from backend.web.templating import render


class OutcomeForm(msgspec.Struct):
    outcome: str = ""
    topic: str = ""
    note: str = ""
    summary: str = ""


def is_mine(callback: asyncpg.Record, staff: StaffViewer) -> bool:
    return callback["status"] == "in_progress" and callback["claimed_by"] == staff.staff_id


def implied_reason(callback: asyncpg.Record, staff: StaffViewer) -> str | None:
    """The access reason the advisor's own call in progress implies; None when they must pick one."""
    if not is_mine(callback, staff):
        return None
    return INBOUND_CALL if callback["kind"] == "inbound" else CALLBACK


def callback_view(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "topic_label": topic_label(row["topic"]) if row["topic"] else "",
            "status_label": callback_status_label(row["status"]), "badge": STATUS_BADGES[row["status"]],
            "outcome_label": outcome_label(row["outcome"]), "is_inbound": row["kind"] == "inbound"}


def phone_order_context(loaded: CitizenGrants, temporary: asyncpg.Record | None,
                        pickup_points: list[asyncpg.Record], form: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the call view's order form needs: per grant what may be ordered now (the same answer
    as the grants table beside it and the citizen's own home page), delivery options."""
    return {
        "order_citizen": loaded.citizen,
        "order_lines": loaded.orderable(),
        "order_form": form or {},
        "order_key": (form or {}).get("idempotency_key") or uuid.uuid4(),
        "pickup_points": pickup_points,
        "temporary": temporary,
    }


async def call_context(db: asyncpg.Connection, callback: asyncpg.Record, staff: StaffViewer,
                       order_form: dict[str, Any] | None = None) -> dict[str, Any]:
    citizen_id = callback["citizen_id"]
    today = local_today()
    loaded = await load_citizen_grants(db, citizen_id, today)  # one answer for the table and the order form
    return {
        **phone_order_context(loaded, await select_temporary_address(db, citizen_id, today),
                              await select_pickup_points(db), order_form),
        "callback": callback_view(callback),
        "citizen": await cq.select_citizen(db, citizen_id),
        "grants": loaded.grants,
        "orders": await cq.select_last_orders(db, citizen_id),
        "others": [callback_view(r) for r in await cq.select_other_callbacks(db, citizen_id, callback["id"])],
        "mine": is_mine(callback, staff),
        "claimable": callback["status"] in CLAIMABLE_STATUSES and callback["kind"] == "booked",
        "outcomes": {key: _(OUTCOME_LABELS[key]) for key in outcomes_for(callback["kind"])},
        "topics": {key: _(label) for key, label in TOPIC_LABELS.items()},
        "max_attempts": MAX_ATTEMPTS,
        "today": today,
        "order_status_label": status_label,
        **await helpers_context(db, citizen_id),  # the citizen's helpers (pwa/templates/staff/_citizen_helpers.html)
    }


def reason_page(request: Request, action: str, *, title: str, status_code: int = 200,
                error: str | None = None) -> Response:
    """"Why are you opening this?" before any of the citizen's data is shown (a GET form to ``action``)."""
    return render(request, "staff/reason.html", {"action": action, "title": title, "reasons": reason_choices(),
                                                 "error": error}, status_code=status_code, block=None)


async def call_page(request: Request, db: asyncpg.Connection, staff: StaffViewer, callback_id: int, *,
                    reason: str | None = None, form: OutcomeForm | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200,
                    order_form: dict[str, Any] | None = None, order_error: OrderRejected | None = None) -> Response:
    """The call view (logged with its reason), or the reason question when no reason is implied or given."""
    callback = await cq.select_callback(db, callback_id)
    if callback is None:
        raise NotFoundException()
    reason = implied_reason(callback, staff) or parse_reason(reason)
    if reason is None:  # a refused POST on somebody else's call still says why, but shows nothing of the citizen
        error = order_error.message if order_error else (errors or {}).get("form")
        code = order_error.status_code if order_error else (status_code if errors else 200)
        return reason_page(request, f"/fsc/callbacks/{callback_id}", title=_("Open the call"), status_code=code,
                           error=error)
    context = await call_context(db, callback, staff, order_form)
    await log_citizen_view(db, staff.staff_id, callback["citizen_id"], view="call", callback_id=callback_id,
                           reason=reason)
    placed = ascii_int(request.query_params.get("order", ""), 1)
    placed_order = (await select_order(db, callback["citizen_id"], placed)) if placed else None
    empty = OutcomeForm(topic=callback["topic"] or "")
    return render(request, "staff/call.html",
                  {**context, "form": form or empty, "errors": errors or {}, "order_error": order_error,
                   "placed_order": placed_order, "reason": reason},
                  status_code=order_error.status_code if order_error else status_code, block=None)
