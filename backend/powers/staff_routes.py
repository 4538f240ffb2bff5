"""FSC registers a power of attorney given on paper or through Digital Fuldmagt, and can revoke one.

The advisor is the actor (audit_log actor_kind "staff"); the helper is named by CPR number (kept
only as the keyed hash, as for every person) so their own MitID login finds the power.
Opening the page is an access to the citizen's data and is logged like the call view.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from backend.citizens.cpr import cpr_hash
from backend.i18n import gettext as _
from backend.powers import queries, service
from backend.powers.rules import PowerRefused, helper_name, parse_scopes
from backend.powers.staff_view import helpers_context
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import COPENHAGEN, DB, local_today
from backend.web.input import PathId
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
SOURCES = ("paper", "digital_fuldmagt")


def parse_registration(settings, data: dict[str, Any]) -> dict[str, Any]:
    """The form as values to store; PowerRefused (nothing written) on bad input."""
    name = helper_name(data.get("helper_name"))
    try:
        hashed = cpr_hash(settings.cpr_key, str(data.get("helper_cpr", "")))
    except ValueError:
        raise PowerRefused(_("Write the helper's CPR number as 10 digits.")) from None
    source = str(data.get("source", ""))
    if source not in SOURCES:
        raise PowerRefused(_("Choose how the power of attorney was given."))
    reference = " ".join(str(data.get("document_ref", "")).split())
    if not reference or len(reference) > 100:
        raise PowerRefused(_("Write the document's reference (at most 100 characters)."))
    valid_to = None
    if raw := str(data.get("valid_to", "")).strip():
        try:
            last_day = dt.date.fromisoformat(raw)
        except ValueError:
            raise PowerRefused(_("Write the end date as a date, e.g. 2027-12-31.")) from None
        if last_day < local_today():
            raise PowerRefused(_("The end date has passed."))
        # Valid through its last day (Danish time).
        valid_to = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), COPENHAGEN)
    return {"helper_cpr_hash": hashed, "helper_name": name, "scopes": parse_scopes(data.get("scope")),
            "source": source, "document_ref": reference, "valid_to": valid_to}


class CitizenPowersController(Controller):
    path = "/fsc/citizens/{citizen_id:int}/powers"
    opt = {"access": "staff"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, staff: StaffViewer, citizen_id: int, *,
                    error: str | None = None, form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
        citizen = await queries.select_citizen_name(db, citizen_id)
        if citizen is None:
            raise NotFoundException()
        # An access to the citizen's data (no reason is picked on this page: none is claimed).
        await log_staff_event(db, staff.staff_id, "staff_viewed_citizen", citizen_id=citizen_id,
                              detail={"view": "powers"})
        return render(request, "staff/powers.html", {
            "citizen": citizen, **await helpers_context(db, citizen_id), "sources": SOURCES,
            "error": error, "form": form or {},
        }, status_code=status_code, block=None)

    @get("/", name="staff_citizen_powers")
    async def powers(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                     citizen_id: PathId) -> Response:
        return await self._page(request, db, staff, citizen_id)

    @post("/", name="staff_register_power")
    async def register(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], citizen_id: PathId,
                       data: Annotated[dict[str, Any], FORM]) -> Response:
        try:
            values = parse_registration(request.app.state.settings, data)
            await service.register(db, staff.staff_id, citizen_id, **values)
        except PowerRefused as refused:
            if refused.status_code == 404:
                raise NotFoundException() from None
            form = {key: value for key, value in data.items() if key != "helper_cpr"}  # the CPR is never echoed
            return await self._page(request, db, staff, citizen_id, error=refused.message, form=form,
                                    status_code=refused.status_code)
        return see_other(request, f"/fsc/citizens/{citizen_id}/powers", level="success",
                         message=_("The power of attorney is registered."))

    @post("/{power_id:int}/revoke", name="staff_revoke_power")
    async def revoke(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], citizen_id: PathId,
                     power_id: PathId) -> Response:
        try:
            await service.revoke(db, citizen_id, power_id, ("staff", staff.staff_id))
        except PowerRefused as refused:
            return see_other(request, f"/fsc/citizens/{citizen_id}/powers", message=refused.message)
        return see_other(request, f"/fsc/citizens/{citizen_id}/powers", level="success",
                         message=_("The power of attorney is revoked."))
