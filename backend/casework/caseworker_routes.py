"""The caseworker's pages (/fsc/sag): their authority's change requests with the service target,
grants ending soon, a citizen of theirs, and approving or rejecting a request.

Every query is filtered by the caseworker's own authority (``staff.authority_id``); reaching for
another authority's citizen or request answers 403 and is written to the audit log
("caseworker_refused"). Each page that names citizens is an access and is logged too."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body

from backend.casework import queries as q
from backend.casework.models import NOTE_MAX, Refused, error_fields, status_code_for
from backend.casework.rules import ENDING_SOON_DAYS, parse_date
from backend.casework.service import NotYours, approve, refuse_foreign, reject, request_for
from backend.casework.views import request_view
from backend.grants.handover import HANDOVER_WARNING_DAYS, ending_discharge_grants_for
from backend.i18n import gettext as _
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB, local_today
from backend.web.input import PathId
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
QUEUE = "/fsc/sag"


class ApproveForm(msgspec.Struct):
    effective_from: str = ""


class RejectForm(msgspec.Struct):
    decision_note: str = ""


async def queue_context(db, staff: StaffViewer, today: dt.date) -> dict[str, Any]:
    requests = [request_view(r, today) for r in await q.select_open_for_payer(db, staff.authority_id)]
    ending = await q.select_ending_soon(db, staff.authority_id, today, today + dt.timedelta(days=ENDING_SOON_DAYS))
    authority = await db.fetchrow("SELECT kind, change_request_working_days FROM authority WHERE id = $1",
                                  staff.authority_id)
    handovers = await ending_discharge_grants_for(db, staff.authority_id, authority["kind"], today=today)
    return {"requests": requests, "ending": ending, "target_days": authority["change_request_working_days"],
            "today": today, "overdue_count": sum(1 for r in requests if r["overdue"]),
            "ending_soon_days": ENDING_SOON_DAYS, "handovers": handovers, "handover_days": HANDOVER_WARNING_DAYS,
            "is_region": authority["kind"] == "region"}


class CaseworkerController(Controller):
    path = QUEUE
    opt = {"access": "caseworker"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/", name="caseworker_queue")
    async def queue(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        context = await queue_context(db, staff, local_today())
        await log_staff_event(db, staff.staff_id, "caseworker_viewed_queue",
                              detail={"requests": len(context["requests"]), "ending": len(context["ending"]),
                                      "handovers": len(context["handovers"])})
        return render(request, "staff/casework/queue.html", context)

    async def _request_page(self, request: Request, db, staff: StaffViewer, request_id: int, *,
                            errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
                            status_code: int = 200) -> Response:
        try:
            row = await request_for(db, staff, request_id, view="change_request")
        except NotYours:
            raise PermissionDeniedException() from None
        if row is None:
            raise NotFoundException()
        await log_staff_event(db, staff.staff_id, "caseworker_viewed_citizen", citizen_id=row["citizen_id"],
                              detail={"view": "change_request", "change_request_id": request_id})
        today = local_today()
        return render(request, "staff/casework/request.html", {
            "r": request_view(row, today), "errors": errors or {}, "form": form or {}, "note_max": NOTE_MAX,
            "suggested_from": max(today, row["valid_from"] + dt.timedelta(days=1)),
        }, status_code=status_code)

    @get("/requests/{change_request_id:int}", name="caseworker_request")
    async def show(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                   change_request_id: PathId) -> Response:
        return await self._request_page(request, db, staff, change_request_id)

    async def _decide(self, request: Request, db, staff: StaffViewer, request_id: int, decision, form: dict[str, str],
                      done: str) -> Response:
        try:
            row = await decision()
        except NotYours:
            raise PermissionDeniedException() from None
        except Refused as refused:
            return await self._request_page(request, db, staff, request_id, errors=error_fields(refused.code),
                                            form=form, status_code=status_code_for(refused.code))
        if row is None:
            raise NotFoundException()
        return see_other(request, QUEUE, message=done, level="success")

    @post("/requests/{change_request_id:int}/approve", name="caseworker_approve")
    async def approve(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], change_request_id: PathId,
                      data: Annotated[ApproveForm, FORM]) -> Response:
        async def decision():
            effective = parse_date(data.effective_from[:20])
            return await approve(db, staff, change_request_id, effective, local_today())
        return await self._decide(request, db, staff, change_request_id, decision,
                                  {"effective_from": data.effective_from[:20]},
                                  _("The request is approved. The citizen is told."))

    @post("/requests/{change_request_id:int}/reject", name="caseworker_reject")
    async def reject(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], change_request_id: PathId,
                     data: Annotated[RejectForm, FORM]) -> Response:
        async def decision():
            return await reject(db, staff, change_request_id, data.decision_note)
        return await self._decide(request, db, staff, change_request_id, decision,
                                  {"decision_note": data.decision_note[:NOTE_MAX * 2]},
                                  _("The request is not approved. The citizen is told why."))

    @get("/citizens/{citizen_id:int}", name="caseworker_citizen")
    async def citizen(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                      citizen_id: PathId) -> Response:
        row = await q.select_citizen_access(db, citizen_id, staff.authority_id)
        if row is None:
            raise NotFoundException()
        if not row["allowed"]:
            try:
                await refuse_foreign(db, staff, view="citizen", citizen_id=citizen_id)
            except NotYours:
                raise PermissionDeniedException() from None
        await log_staff_event(db, staff.staff_id, "caseworker_viewed_citizen", citizen_id=citizen_id,
                              detail={"view": "citizen"})
        today = local_today()
        requests = [request_view(r, today) for r in await q.select_citizen_requests(db, citizen_id)
                    if r["payer_id"] == staff.authority_id]
        return render(request, "staff/casework/citizen.html", {
            "citizen": row, "grants": await q.select_citizen_grants_for(db, citizen_id, staff.authority_id, today),
            "requests": requests,
        })
