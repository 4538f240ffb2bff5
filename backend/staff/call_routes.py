"""The call view: the citizen's context for the advisor, the outcome of the call, release.

Every GET of this page is an access to the citizen's data and is written to the access log
(audit_log, actor_kind 'staff', action 'staff_viewed_citizen', with the callback as the reason).
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect

from backend import jobs
from backend.callbacks.booking import UNREACHABLE_JOB
from backend.callbacks.labels import (
    OUTCOME_LABELS,
    STATUS_BADGES,
    outcome_label,
    topic_label,
)
from backend.callbacks.labels import status_label as callback_status_label
from backend.callbacks.rules import CLAIMABLE_STATUSES, MAX_ATTEMPTS, OUTCOMES, after_no_answer
from backend.grants.views import load_citizen_grants
from backend.orders.queries import select_order, select_pickup_points, select_temporary_address
from backend.i18n import gettext as _
from backend.staff import callback_queries as cq
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.orders.models import OrderRejected
from backend.orders.status import status_label
from backend.powers.staff_view import helpers_context
from backend.staff.phone_orders import phone_order_context
from backend.staff.queries import log_citizen_view, log_staff_event
from backend.web.deps import DB, local_today
from backend.web.templating import render, see_other
from backend.web.input import PathId, ascii_int

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
OUTCOME_NOTE_MAX = 2000
SUMMARY_MAX = 1000


def outcome_saved_message(status: str) -> str:
    """What the advisor is told after saving an outcome (on the queue, where they land)."""
    if status == "no_answer":
        return _("The outcome is saved. Nobody answered, so the request is back in the queue for another try.")
    if status == "failed":
        return _("The outcome is saved. Nobody answered the last try: the citizen is told we could not reach them.")
    return _("The outcome is saved, and the request is done.")


class OutcomeForm(msgspec.Struct):
    outcome: str = ""
    note: str = ""
    summary: str = ""


def callback_view(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "topic_label": topic_label(row["topic"]), "status_label": callback_status_label(row["status"]),
            "badge": STATUS_BADGES[row["status"]], "outcome_label": outcome_label(row["outcome"])}


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
        "mine": callback["status"] == "in_progress" and callback["claimed_by"] == staff.staff_id,
        "claimable": callback["status"] in CLAIMABLE_STATUSES,
        "outcomes": {key: _(label) for key, label in OUTCOME_LABELS.items()},
        "max_attempts": MAX_ATTEMPTS,
        "today": today,
        "order_status_label": status_label,
        **await helpers_context(db, citizen_id),  # the citizen's helpers (pwa/templates/staff/_citizen_helpers.html)
    }


class CallController(Controller):
    path = "/fsc/callbacks"
    opt = {"access": "staff"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @staticmethod
    async def page(request: Request, db: asyncpg.Connection, staff: StaffViewer, callback_id: int, *,
                   form: OutcomeForm | None = None, errors: dict[str, str] | None = None, status_code: int = 200,
                   order_form: dict[str, Any] | None = None, order_error: OrderRejected | None = None) -> Response:
        callback = await cq.select_callback(db, callback_id)
        if callback is None:
            raise NotFoundException()
        context = await call_context(db, callback, staff, order_form)
        await log_citizen_view(db, staff.staff_id, callback["citizen_id"], view="call", callback_id=callback_id,
                               reason="callback")
        placed = ascii_int(request.query_params.get("order", ""), 1)
        placed_order = (await select_order(db, callback["citizen_id"], placed)) if placed else None
        return render(request, "staff/call.html",
                      {**context, "form": form or OutcomeForm(), "errors": errors or {}, "order_error": order_error,
                       "placed_order": placed_order},
                      status_code=order_error.status_code if order_error else status_code, block=None)

    @get("/{callback_id:int}", name="staff_call")
    async def call(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                   callback_id: PathId) -> Response:
        return await self.page(request, db, staff, callback_id)

    @post("/{callback_id:int}/outcome", name="staff_outcome")
    async def outcome(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                      callback_id: PathId, data: Annotated[OutcomeForm, FORM]) -> Response:
        errors = {}
        if data.outcome not in OUTCOMES:
            errors["outcome"] = _("Choose the outcome of the call.")
        if len(data.note.strip()) > OUTCOME_NOTE_MAX:
            errors["note"] = _("The note can be at most 2000 characters long.")
        if len(data.summary.strip()) > SUMMARY_MAX:
            errors["summary"] = _("The summary for the citizen can be at most 1000 characters long.")
        if not errors:
            async with db.transaction():
                tries = await cq.lock_attempts(db, callback_id)
                status, attempts = ("done", None)
                if tries is not None and data.outcome == "no_answer":
                    status, attempts = after_no_answer(tries)
                row = await cq.record_outcome(db, callback_id, staff.staff_id, status=status, attempts=attempts,
                                              outcome=data.outcome, note=data.note.strip(),
                                              summary=data.summary.strip())
                if row is not None:
                    await log_staff_event(db, staff.staff_id, "callback_outcome", citizen_id=row["citizen_id"],
                                          detail={"callback_id": callback_id, "outcome": data.outcome,
                                                  "status": row["status"], "attempts": row["attempts"]})
                    if row["status"] == "failed":
                        # The citizen is told by push (backend/callbacks/jobs.py) and on "Mine opkald".
                        await jobs.enqueue(db, UNREACHABLE_JOB,
                                           {"callback_id": callback_id, "citizen_id": row["citizen_id"]},
                                           dedupe_key=f"{UNREACHABLE_JOB}:{callback_id}")
            if row is not None:
                return see_other(request, "/fsc/queue", message=outcome_saved_message(row["status"]), level="success")
            errors["form"] = _("You can only record the outcome of a request you have taken.")
            return await self.page(request, db, staff, callback_id, form=data, errors=errors, status_code=409)
        return await self.page(request, db, staff, callback_id, form=data, errors=errors, status_code=422)

    @post("/{callback_id:int}/release", name="staff_release")
    async def release(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                      callback_id: PathId) -> Response:
        async with db.transaction():
            row = await cq.release(db, callback_id, staff.staff_id)
            if row is not None:
                await log_staff_event(db, staff.staff_id, "callback_released", citizen_id=row["citizen_id"],
                                      detail={"callback_id": callback_id})
        if row is None:
            return await self.page(request, db, staff, callback_id,
                                    errors={"form": _("You can only give back a request you have taken.")},
                                    status_code=409)
        return Redirect("/fsc/queue", status_code=303)
