"""Supervisors set each municipality's participation and go-live date (/fsc/go-live)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery

from backend.authorities import go_live
from backend.i18n import format_date, gettext as _
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB, local_today
from backend.web.input import SmallPathId
from backend.web.templating import render, see_other

PAGE = "/fsc/go-live"
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class GoLiveController(Controller):
    path = PAGE
    opt = {"access": "supervisor"}
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, *, editing: int | None = None,
                    form: go_live.GoLiveForm | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Response:
        return render(request, "staff/go_live.html", {
            "municipalities": await go_live.select_municipalities(db), "today": local_today(),
            "editing": editing, "form": form,
            "errors": {field: _(msgid) for field, msgid in (errors or {}).items()},
        }, status_code=status_code, block=None)

    @get("/", name="staff_go_live")
    async def show(self, request: Request, db: DB, edit: FromQuery[int | None] = None) -> Response:
        return await self._page(request, db, editing=edit)

    @post("/{authority_id:int}", name="staff_go_live_save")
    async def save(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                   authority_id: SmallPathId, data: Annotated[go_live.GoLiveForm, FORM]) -> Response:
        errors, participates, day = go_live.go_live_errors(data)
        if errors:
            return await self._page(request, db, editing=authority_id, form=data, errors=errors, status_code=422)
        async with db.transaction():
            name = await go_live.update_go_live(db, authority_id, participates, day)
            if name is not None:
                await log_staff_event(db, staff.staff_id, "authority_go_live_changed", detail={
                    "authority_id": authority_id, "participates": participates,
                    "go_live": day.isoformat() if day else None})
        if name is None:
            return see_other(request, PAGE, message=_("There is no such municipality."))
        if not participates:
            message = _("%(name)s does not take part.") % {"name": name}
        else:
            message = _("%(name)s goes live on %(date)s.") % {"name": name, "date": format_date(day)}
        return see_other(request, PAGE, message=message, level="success")
