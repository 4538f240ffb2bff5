"""The citizen's side: "Jeg har brug for et andet produkt" on a grant, and "Mine ønsker".

Asking is an order-scope action (a helper with power of attorney to order may ask too); the list
is view scope. Who asked is recorded as ``viewer.actor``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect

from backend.auth.models import Viewer
from backend.casework import queries as q
from backend.casework.models import NOTE_MAX, REASONS, Refused, error_fields, reason_label, status_code_for
from backend.casework.service import ask
from backend.casework.views import product_choices, request_view
from backend.web.deps import DB, local_today, provide_viewer
from backend.web.input import INT32_MAX, PathId, ascii_int
from backend.web.templating import render

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class ChangeForm(msgspec.Struct):
    product: str = ""
    reason: str = ""
    note: str = ""


class ChangeRequestController(Controller):
    opt = {"access": "citizen", "scope": "order"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/change-requests", name="my_change_requests", opt={"access": "citizen", "scope": "view"})
    async def my_requests(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        today = local_today()
        rows = [request_view(r, today) for r in await q.select_citizen_requests(db, viewer.citizen_id)]
        return render(request, "change_requests/list.html", {
            "requests": rows, "sent": request.query_params.get("sent") == "1"})

    async def _form(self, request: Request, db, viewer: Viewer, grant_id: int, form: ChangeForm,
                    errors: dict[str, str], status_code: int = 200) -> Response:
        grant = await q.select_grant_for_change(db, viewer.citizen_id, grant_id)
        if grant is None:
            raise NotFoundException()
        choices = product_choices(await q.select_alternatives(db, [grant["area_code"]]), exclude=grant["product_id"])
        return render(request, "change_requests/new.html", {
            "grant": grant, "choices": choices, "form": form, "errors": errors, "note_max": NOTE_MAX,
            "reasons": {key: reason_label(key) for key in REASONS},
        }, status_code=status_code)

    @get("/grants/{grant_id:int}/change", name="new_change_request")
    async def new(self, request: Request, db: DB, viewer: NamedDependency[Viewer], grant_id: PathId) -> Response:
        return await self._form(request, db, viewer, grant_id, ChangeForm(), {})

    @post("/grants/{grant_id:int}/change", name="ask_change_request")
    async def create(self, request: Request, db: DB, viewer: NamedDependency[Viewer], grant_id: PathId,
                     data: Annotated[ChangeForm, FORM]) -> Response:
        if await q.select_grant_for_change(db, viewer.citizen_id, grant_id) is None:
            raise NotFoundException()  # not this citizen's grant: nothing to say about it
        try:
            await ask(db, citizen_id=viewer.citizen_id, grant_id=grant_id,
                      product_id=ascii_int(data.product, 1, INT32_MAX), reason=data.reason, note=data.note,
                      actor=viewer.actor, today=local_today())
        except Refused as refused:
            return await self._form(request, db, viewer, grant_id, data, error_fields(refused.code),
                                    status_code=status_code_for(refused.code))
        return Redirect("/change-requests?sent=1", status_code=303)
