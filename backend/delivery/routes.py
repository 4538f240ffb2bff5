"""The citizen's delivery settings page (forms work without JavaScript)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from backend.audit import log_event
from backend.auth.models import Viewer
from backend.delivery import queries
from backend.i18n import format_date
from backend.i18n import gettext as _
from backend.orders.queries import select_citizen_for_ordering, select_pickup_point, select_pickup_points
from backend.orders.service import MAX_NOTE_LENGTH
from backend.web.deps import DB, local_today, provide_viewer
from backend.web.templating import render, see_other
from backend.web.input import INT32_MAX, PathId, ascii_digits, ascii_int

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MAX_TEMPORARY_DAYS = 366


class FormError(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise FormError(_("Enter a date as day, month and year."), field) from None


class DeliveryController(Controller):
    path = "/delivery"
    opt = {"access": "citizen"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    async def _page(self, request: Request, db: DB, viewer: Viewer, *, error: FormError | None = None,
                    form: dict[str, Any] | None = None, saved: bool = False) -> Response:
        today = local_today()
        return render(request, "delivery.html", {
            "citizen": await select_citizen_for_ordering(db, viewer.citizen_id),
            "pickup_points": await select_pickup_points(db),
            "addresses": await queries.select_temporary_addresses(db, viewer.citizen_id, today),
            "error": error, "form": form or {}, "saved": saved, "today": today,
        }, status_code=422 if error else 200)

    @get("/", name="delivery", opt={"scope": "delivery"})
    async def show(self, request: Request, db: DB, viewer: NamedDependency[Viewer], saved: FromQuery[bool] = False) -> Response:
        return await self._page(request, db, viewer, saved=saved)

    @post("/", name="delivery_save", opt={"scope": "delivery"})
    async def save(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                   data: Annotated[dict[str, Any], FORM]) -> Response:
        method = data.get("method", "home")
        point_text = str(data.get("pickup_point_id") or "")
        note = str(data.get("driver_note", "")).strip()
        try:
            if method not in ("home", "pickup_point"):
                raise FormError(_("Choose where the parcel should be delivered."), "method")
            point = None
            if method == "pickup_point":
                point = ascii_int(point_text, 1, INT32_MAX)
                if point is None or await select_pickup_point(db, point) is None:
                    raise FormError(_("Choose a pickup point from the list."), "pickup_point_id")
            if len(note) > MAX_NOTE_LENGTH:
                raise FormError(_("The note to the driver can be at most %(count)s characters.") % {"count": MAX_NOTE_LENGTH},
                                "driver_note")
        except FormError as exc:
            return await self._page(request, db, viewer, error=exc, form=data)
        async with db.transaction():
            await queries.upsert_preference(db, viewer.citizen_id, method, point, data.get("leave_at_door") == "1", note)
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="delivery_preference_changed")
        return see_other(request, "/delivery?saved=1")

    @post("/temporary", name="temporary_add", opt={"scope": "delivery"})
    async def add_temporary(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                            data: Annotated[dict[str, Any], FORM]) -> Response:
        today = local_today()
        street, city = str(data.get("street", "")).strip(), str(data.get("city", "")).strip()
        postcode = str(data.get("postcode", "")).strip()
        try:
            if not street or len(street) > 100:
                raise FormError(_("Enter the street and number."), "street")
            if not ascii_digits(postcode, 4):
                raise FormError(_("Enter a Danish postcode of 4 digits."), "postcode")
            if not city or len(city) > 60:
                raise FormError(_("Enter the town."), "city")
            valid_from = parse_date(str(data.get("valid_from", "")), "valid_from")
            valid_to = parse_date(str(data.get("valid_to", "")), "valid_to")
            if valid_to < today:
                raise FormError(_("The last day cannot be in the past."), "valid_to")
            if valid_to < valid_from:
                raise FormError(_("The last day must be on or after the first day."), "valid_to")
            if (valid_to - valid_from).days > MAX_TEMPORARY_DAYS:
                raise FormError(_("A temporary address can be used for at most one year."), "valid_to")
        except FormError as exc:
            return await self._page(request, db, viewer, error=exc, form=data)
        async with db.transaction():
            await queries.insert_temporary_address(db, viewer.citizen_id, street, postcode, city, valid_from, valid_to)
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="temporary_address_added")
        return see_other(request, "/delivery?saved=1")

    @get("/temporary/{address_id:int}/delete", name="temporary_delete_confirm", opt={"scope": "delivery"})
    async def delete_confirm(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                             address_id: PathId) -> Response:
        """"Remove this temporary address?" (works without JavaScript)."""
        address = next((a for a in await queries.select_temporary_addresses(db, viewer.citizen_id, local_today())
                        if a["id"] == address_id), None)
        if address is None:
            return Redirect("/delivery", status_code=303)
        return render(request, "confirm.html", {
            "title": _("Remove the temporary address?"),
            "details": [f"{address['street']}, {address['postcode']} {address['city']}",
                        f"{format_date(address['valid_from'])} – {format_date(address['valid_to'])}"],
            "note": _("Parcels are then delivered to your usual address."),
            "action": f"/delivery/temporary/{address_id}/delete", "yes": _("Yes, remove it"),
            "back": "/delivery", "no": _("No, keep it"),
        })

    @post("/temporary/{address_id:int}/delete", name="temporary_delete", opt={"scope": "delivery"})
    async def delete_temporary(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                               address_id: PathId) -> Response:
        async with db.transaction():
            if not await queries.delete_temporary_address(db, viewer.citizen_id, address_id):
                raise NotFoundException()
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="temporary_address_deleted")
        return see_other(request, "/delivery?saved=1")
