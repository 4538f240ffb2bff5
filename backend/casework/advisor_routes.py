"""An FSC advisor asks for another product on the citizen's behalf after a call (from the call view).

The request is recorded with the advisor as the actor (("staff", id)) and goes to the grant's
payer like a citizen's own. Opening the form is an access to the citizen's data and is logged
with the callback as the reason."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from backend.casework import queries as q
from backend.casework.models import NOTE_MAX, REASONS, Refused, error_fields, reason_label, status_code_for
from backend.casework.service import ask
from backend.casework.views import product_choices
from backend.i18n import gettext as _
from backend.callbacks import staff_queries as cq
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_citizen_view
from backend.web.deps import DB, local_today
from backend.web.input import INT32_MAX, INT64_MAX, PathId, ascii_int
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class AdvisorChangeForm(msgspec.Struct):
    grant: str = ""
    product: str = ""
    reason: str = ""
    note: str = ""


class AdvisorChangeRequestController(Controller):
    path = "/fsc/callbacks/{callback_id:int}/change-request"
    opt = {"access": "staff"}  # see backend/web/access.py (FSC advisors and supervisors, not caseworkers)
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _form(self, request: Request, db, staff: StaffViewer, callback_id: int, form: AdvisorChangeForm,
                    errors: dict[str, str], status_code: int = 200) -> Response:
        callback = await cq.select_callback(db, callback_id)
        if callback is None:
            raise NotFoundException()
        citizen_id = callback["citizen_id"]
        await log_citizen_view(db, staff.staff_id, citizen_id, view="change_request", callback_id=callback_id,
                               reason="callback")
        grants = await q.select_changeable_grants(db, citizen_id, local_today())
        choices = product_choices(await q.select_alternatives(db, sorted({g["area_code"] for g in grants})))
        return render(request, "staff/change_request_new.html", {
            "callback_id": callback_id, "citizen": await cq.select_citizen(db, citizen_id), "grants": grants,
            "choices": choices, "form": form, "errors": errors, "note_max": NOTE_MAX,
            "reasons": {key: reason_label(key) for key in REASONS},
        }, status_code=status_code)

    @get("/", name="advisor_change_request_form")
    async def new(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], callback_id: PathId) -> Response:
        return await self._form(request, db, staff, callback_id, AdvisorChangeForm(), {})

    @post("/", name="advisor_change_request")
    async def create(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], callback_id: PathId,
                     data: Annotated[AdvisorChangeForm, FORM]) -> Response:
        callback = await cq.select_callback(db, callback_id)
        if callback is None:
            raise NotFoundException()
        try:
            await ask(db, citizen_id=callback["citizen_id"], grant_id=ascii_int(data.grant, 1, INT64_MAX),
                      product_id=ascii_int(data.product, 1, INT32_MAX), reason=data.reason, note=data.note,
                      actor=("staff", staff.staff_id), today=local_today())
        except Refused as refused:
            return await self._form(request, db, staff, callback_id, data, error_fields(refused.code),
                                    status_code=status_code_for(refused.code))
        return see_other(request, f"/fsc/callbacks/{callback_id}", level="success",
                         message=_("The request for another product is sent to the authority that pays for the grant."))
