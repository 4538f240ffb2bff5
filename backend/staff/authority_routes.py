"""Supervisors keep each participating municipality's contact for grant questions (shown to its
citizens on the help page, /hjaelp)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery

from backend.authorities import contacts
from backend.i18n import gettext as _
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.input import SmallPathId
from backend.web.templating import render, see_other

PAGE = "/fsc/authorities"
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class AuthorityContactsController(Controller):
    path = PAGE
    opt = {"access": "supervisor"}
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, *, editing: int | None = None,
                    form: contacts.Contact | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Response:
        return render(request, "staff/authorities.html", {
            "municipalities": await contacts.select_participating(db), "editing": editing, "form": form,
            "errors": {field: _(msgid) for field, msgid in (errors or {}).items()},
        }, status_code=status_code, block=None)

    @get("/", name="staff_authorities")
    async def list_contacts(self, request: Request, db: DB, edit: FromQuery[int | None] = None) -> Response:
        return await self._page(request, db, editing=edit)

    @post("/{authority_id:int}/contact", name="staff_authority_contact")
    async def save_contact(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                           authority_id: SmallPathId, data: Annotated[contacts.Contact, FORM]) -> Response:
        contact = contacts.cleaned(data)
        if errors := contacts.contact_errors(contact):
            return await self._page(request, db, editing=authority_id, form=contact, errors=errors, status_code=422)
        async with db.transaction():
            name = await contacts.update_contact(db, authority_id, contact, staff.staff_id)
            if name is not None:
                await log_staff_event(db, staff.staff_id, "authority_contact_changed",
                                      detail={"authority_id": authority_id})
        if name is None:
            return see_other(request, PAGE, message=_("This municipality does not take part."))
        return see_other(request, PAGE, message=_("The contact for %(name)s is saved.") % {"name": name},
                         level="success")
