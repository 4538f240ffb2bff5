"""The call view's routes (booked callbacks and inbound calls alike): show it, record the outcome,
give a booked request back to the queue. The page itself is built in backend/callbacks/call_view.py."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from backend import jobs
from backend.callbacks import staff_queries as cq
from backend.callbacks.booking import UNREACHABLE_JOB
from backend.callbacks.call_view import OutcomeForm, call_page
from backend.callbacks.rules import TOPICS, after_no_answer, outcomes_for
from backend.i18n import gettext as _
from backend.staff.access_reasons import INBOUND_CALL
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.input import PathId
from backend.web.templating import see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
OUTCOME_NOTE_MAX = 2000
SUMMARY_MAX = 1000


def outcome_saved_message(status: str) -> str:
    """What the advisor is told after saving an outcome (on the page where they land)."""
    if status == "no_answer":
        return _("The outcome is saved. Nobody answered, so the request is back in the queue for another try.")
    if status == "failed":
        return _("The outcome is saved. Nobody answered the last try: the citizen is told we could not reach them.")
    return _("The outcome is saved, and the request is done.")


def outcome_errors(data: OutcomeForm, kind: str) -> dict[str, str]:
    errors = {}
    if data.outcome not in outcomes_for(kind):
        errors["outcome"] = _("Choose the outcome of the call.")
    if data.topic not in TOPICS:
        errors["topic"] = _("Choose what the call was about.")
    if len(data.note.strip()) > OUTCOME_NOTE_MAX:
        errors["note"] = _("The note can be at most 2000 characters long.")
    if len(data.summary.strip()) > SUMMARY_MAX:
        errors["summary"] = _("The summary for the citizen can be at most 1000 characters long.")
    return errors


class CallController(Controller):
    path = "/fsc/callbacks"
    opt = {"access": "staff"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/{callback_id:int}", name="staff_call")
    async def call(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                   callback_id: PathId, reason: FromQuery[str | None] = None) -> Response:
        return await call_page(request, db, staff, callback_id, reason=reason)

    @post("/{callback_id:int}/outcome", name="staff_outcome")
    async def outcome(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                      callback_id: PathId, data: Annotated[OutcomeForm, FORM]) -> Response:
        callback = await cq.select_callback(db, callback_id)
        if callback is None:
            raise NotFoundException()
        if not data.topic and callback["topic"]:  # a booked callback has its topic already; the form may change it
            data = msgspec.structs.replace(data, topic=callback["topic"])
        errors = outcome_errors(data, callback["kind"])
        if errors:
            return await call_page(request, db, staff, callback_id, form=data, errors=errors, status_code=422)
        async with db.transaction():
            tries = await cq.lock_attempts(db, callback_id)
            status, attempts = ("done", None)
            if tries is not None and data.outcome == "no_answer":
                status, attempts = after_no_answer(tries)
            row = await cq.record_outcome(db, callback_id, staff.staff_id, status=status, attempts=attempts,
                                          outcome=data.outcome, topic=data.topic, note=data.note.strip(),
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
        if row is None:
            errors["form"] = _("You can only record the outcome of a request you have taken.")
            return await call_page(request, db, staff, callback_id, form=data, errors=errors, status_code=409)
        message = outcome_saved_message(row["status"])
        if callback["kind"] == "inbound":  # back to the citizen the advisor is helping
            return see_other(request, f"/fsc/citizens/{row['citizen_id']}?reason={INBOUND_CALL}", message=message,
                             level="success")
        return see_other(request, "/fsc/queue", message=message, level="success")

    @post("/{callback_id:int}/release", name="staff_release")
    async def release(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                      callback_id: PathId) -> Response:
        async with db.transaction():
            row = await cq.release(db, callback_id, staff.staff_id)
            if row is not None:
                await log_staff_event(db, staff.staff_id, "callback_released", citizen_id=row["citizen_id"],
                                      detail={"callback_id": callback_id})
        if row is None:
            return await call_page(request, db, staff, callback_id,
                                   errors={"form": _("You can only give back a request you have taken.")},
                                   status_code=409)
        return Redirect("/fsc/queue", status_code=303)
