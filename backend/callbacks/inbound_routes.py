"""From the citizen's record: open an inbound call ("Indgående opkald") or book a callback for the citizen.

An inbound call is a row of the one call model (callback, kind 'inbound', no slot): it opens the
same call view, outcomes and order by phone as a booked callback, already the advisor's. A callback
booked by an advisor goes through the citizen's own booking rules (backend/callbacks/booking.py:
capacity, slots, the open-calls limit) and is logged with the staff member as the actor.
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery

from backend.callbacks import booking
from backend.callbacks import staff_queries as cq
from backend.callbacks.labels import TOPIC_LABELS, staff_error_message, topic_label
from backend.callbacks.models import BookingForm, validate_booking
from backend.callbacks.queries import count_open, select_citizen_phone
from backend.callbacks.routes import now, picker_context
from backend.callbacks.rules import MAX_OPEN_PER_CITIZEN, TOPICS, normalise_phone
from backend.i18n import gettext as _
from backend.staff.access_reasons import INBOUND_CALL, parse_reason
from backend.staff.guards import provide_staff, staff_required
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.input import PathId
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class InboundForm(msgspec.Struct):
    topic: str = ""


class StaffBookingForm(BookingForm):
    """The booking form as an advisor posts it for the citizen; ``day`` is set by the day buttons without JS."""

    reason: str = ""
    day: str = ""


def no_such_citizen(request: Request) -> Response:
    return render(request, "staff/search.html", {
        "q": "", "results": None, "error": _("There is no citizen with that number. Search for the citizen again."),
        "cpr_error": None, "searched_by": None,
    }, status_code=404, block=None)


class InboundCallController(Controller):
    path = "/fsc/citizens"
    opt = {"access": "staff"}  # see backend/web/access.py
    guards = [staff_required("advisor", "supervisor")]  # and only these roles (not a later caseworker role)
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @post("/{citizen_id:int}/calls", name="staff_inbound_call")
    async def open_inbound(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], citizen_id: PathId,
                           data: Annotated[InboundForm, FORM]) -> Response:
        """Open an inbound call for the citizen on the line; the topic may be chosen now or with the outcome."""
        async with db.transaction():
            phone = normalise_phone(await select_citizen_phone(db, citizen_id) or "")
            row = await cq.insert_inbound_call(db, citizen_id, staff.staff_id,
                                               data.topic if data.topic in TOPICS else None, phone)
            if row is not None:
                await log_staff_event(db, staff.staff_id, "inbound_call_opened", citizen_id=citizen_id,
                                      detail={"callback_id": row["id"]})
        if row is None:
            return no_such_citizen(request)
        return see_other(request, f"/fsc/callbacks/{row['id']}")

    async def _booking_page(self, request: Request, db: asyncpg.Connection, citizen_id: int, form: StaffBookingForm,
                            day: str | None, errors: dict[str, str], status_code: int = 200) -> Response:
        citizen = await cq.select_citizen(db, citizen_id)
        if citizen is None:
            raise NotFoundException()
        base = f"/fsc/citizens/{citizen_id}/callbacks/new"
        context = await picker_context(db, day, form.slot, base)
        return render(request, "staff/book_for_citizen.html", {
            **context, "citizen": citizen, "form": form, "keep_form": True,
            "errors": {k: staff_error_message(v) for k, v in errors.items()},
            "topics": {key: topic_label(key) for key in TOPIC_LABELS},
            "too_many": await count_open(db, citizen_id) >= MAX_OPEN_PER_CITIZEN,
            "reason": parse_reason(form.reason) or INBOUND_CALL,
        }, status_code=status_code, block="slot_picker" if day is not None and not errors else None)

    @get("/{citizen_id:int}/callbacks/new", name="staff_book_for_citizen_form")
    async def booking_form(self, request: Request, db: DB, citizen_id: PathId, day: FromQuery[str | None] = None,
                           reason: FromQuery[str] = "") -> Response:
        phone = normalise_phone(await select_citizen_phone(db, citizen_id) or "") or ""
        return await self._booking_page(request, db, citizen_id, StaffBookingForm(phone=phone, reason=reason), day, {})

    @post("/{citizen_id:int}/callbacks/new", name="staff_book_for_citizen_day")
    async def change_day(self, request: Request, db: DB, citizen_id: PathId,
                         data: Annotated[StaffBookingForm, FORM]) -> Response:
        """Another day chosen without JavaScript: the same form again, as typed."""
        form = msgspec.structs.replace(data, slot="", day="")
        return await self._booking_page(request, db, citizen_id, form, data.day or None, {})

    @post("/{citizen_id:int}/callbacks", name="staff_book_for_citizen")
    async def book_for_citizen(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                               citizen_id: PathId, data: Annotated[StaffBookingForm, FORM]) -> Response:
        if await cq.select_citizen(db, citizen_id) is None:
            return no_such_citizen(request)
        valid, errors = validate_booking(data)
        if valid is not None:
            try:
                row = await booking.book(db, citizen_id, valid, now(), actor=("staff", staff.staff_id))
            except booking.BookingError as exc:
                errors = {"slot" if exc.code != "too_many" else "form": exc.code}
            else:
                reason = parse_reason(data.reason) or INBOUND_CALL
                return see_other(request, f"/fsc/citizens/{citizen_id}?reason={reason}",
                                 message=_("The call is booked. The citizen can see it under \"My calls\"."),
                                 level="success")
        return await self._booking_page(request, db, citizen_id, data, None, errors, status_code=422)
