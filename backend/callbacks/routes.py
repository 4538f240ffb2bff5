"""Citizen pages: "Ring mig op" (book a call), "Mine opkald" (my calls), cancel and move."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from backend.auth.models import Viewer
from backend.callbacks import booking, queries
from backend.callbacks.labels import STATUS_BADGES, TOPIC_LABELS, error_message, status_label, topic_label
from backend.callbacks.models import BookingForm, ChangeDayForm, MoveForm, validate_booking
from backend.callbacks.rules import (
    MAX_OPEN_PER_CITIZEN,
    OPEN_STATUSES,
    TZ,
    Schedule,
    Slot,
    bookable_starts,
    booking_days,
    effective_capacity,
    parse_slot,
    slot_value,
)
from backend.i18n import format_day, format_time
from backend.i18n import gettext as _
from backend.ratelimit.limiter import limited
from backend.web.deps import DB, provide_viewer
from backend.web.templating import render, see_other
from backend.web.input import PathId

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


async def slots_for_day(conn: asyncpg.Connection, schedule: Schedule, day: dt.date, moment: dt.datetime) -> list[Slot]:
    starts = bookable_starts(schedule, day, moment)
    if not starts:
        return []
    rows = await queries.select_slot_usage(conn, starts[0], starts[-1] + dt.timedelta(seconds=1))
    usage = {r["slot_start"]: r for r in rows}
    slots = []
    for start in starts:
        row = usage.get(start)
        capacity = effective_capacity(schedule, row["capacity"] if row else None)
        slots.append(Slot(start, capacity, row["booked"] if row else 0))
    return slots


def pick_day(days: list[dt.date], wanted: str | None, selected: dt.datetime | None) -> dt.date | None:
    """The day whose times are shown: the one asked for, else the selected slot's, else the first."""
    if selected is not None and selected.astimezone(TZ).date() in days:
        return selected.astimezone(TZ).date()
    try:
        day = dt.date.fromisoformat(wanted) if wanted else None
    except ValueError:
        day = None
    return day if day in days else (days[0] if days else None)


async def picker_context(
    conn: asyncpg.Connection, day_param: str | None, selected: str, base_url: str
) -> dict[str, Any]:
    moment = now()
    schedule = await queries.select_schedule(conn)
    days = booking_days(schedule, moment)
    day = pick_day(days, day_param, parse_slot(selected))
    slots = await slots_for_day(conn, schedule, day, moment) if day else []
    return {"days": days, "day": day, "slots": slots, "selected_slot": selected, "slot_value": slot_value,
            "picker_url": base_url}


def callback_view(row: asyncpg.Record) -> dict[str, Any]:
    return {**dict(row), "topic_label": topic_label(row["topic"]), "status_label": status_label(row["status"]),
            "badge": STATUS_BADGES[row["status"]], "is_open": row["status"] in OPEN_STATUSES,
            "changeable": row["status"] in ("waiting", "no_answer")}


class CallbackController(Controller):
    path = "/callbacks"
    opt = {"access": "citizen"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/", name="my_callbacks", opt={"scope": "callbacks"})
    async def my_callbacks(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                           booked: FromQuery[int | None] = None, done: FromQuery[str | None] = None) -> Response:
        rows = [callback_view(r) for r in await queries.select_citizen_callbacks(db, viewer.citizen_id)]
        upcoming = sorted((r for r in rows if r["is_open"]), key=lambda r: r["slot_start"])
        just_booked = next((r for r in upcoming if r["id"] == booked), None)
        return render(request, "callbacks/list.html", {
            "upcoming": upcoming, "earlier": [r for r in rows if not r["is_open"]],
            "just_booked": just_booked, "done": done, "can_book": len(upcoming) < MAX_OPEN_PER_CITIZEN,
        })

    async def _form_page(self, request: Request, db: asyncpg.Connection, viewer: Viewer, form: BookingForm,
                         day: str | None, errors: dict[str, str], status_code: int = 200) -> Response:
        open_count = await queries.count_open(db, viewer.citizen_id)
        context = await picker_context(db, day, form.slot, "/callbacks/new")
        return render(request, "callbacks/new.html", {
            **context, "form": form, "errors": {k: error_message(v) for k, v in errors.items()}, "keep_form": True,
            "topics": {key: topic_label(key) for key in TOPIC_LABELS}, "too_many": open_count >= MAX_OPEN_PER_CITIZEN,
        }, status_code=status_code, block="slot_picker" if day is not None else None)

    @get("/new", name="new_callback", opt={"scope": "callbacks"})
    async def new_callback(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                           day: FromQuery[str | None] = None, topic: FromQuery[str] = "") -> Response:
        phone = await queries.select_citizen_phone(db, viewer.citizen_id) or ""
        return await self._form_page(request, db, viewer, BookingForm(topic=topic, phone=phone), day, {})

    @post("/new", name="new_callback_day", opt={"scope": "callbacks"})
    async def change_day(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                         data: Annotated[ChangeDayForm, FORM]) -> Response:
        """Another day chosen without JavaScript: the same form again, with the chosen topic, phone
        and note kept (the day buttons post the form here; with htmx they swap only the picker)."""
        form = BookingForm(topic=data.topic, slot="", phone=data.phone, note=data.note)
        page = await self._form_page(request, db, viewer, form, data.day or None, {})
        return page

    @post("/", name="book_callback", opt={"scope": "callbacks"}, guards=[limited("callbacks")])
    async def book_callback(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                            data: Annotated[BookingForm, FORM]) -> Response:
        valid, errors = validate_booking(data)
        if valid is not None:
            try:
                row = await booking.book(db, viewer.citizen_id, valid, now(), viewer.actor)
            except booking.BookingError as exc:
                errors = {"slot" if exc.code not in ("too_many",) else "form": exc.code}
            else:
                return Redirect(f"/callbacks?booked={row['id']}", status_code=303)
        return await self._form_page(request, db, viewer, data, None, errors, status_code=422)

    @get("/{callback_id:int}/cancel", name="cancel_callback_confirm", opt={"scope": "callbacks"})
    async def cancel_confirm(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                             callback_id: PathId) -> Response:
        """"Do you want to cancel the call?" (works without JavaScript)."""
        row = await queries.select_own_callback(db, callback_id, viewer.citizen_id)
        if row is None:
            raise NotFoundException()
        view = callback_view(row)
        if not view["changeable"]:
            return Redirect("/callbacks", status_code=303)
        return render(request, "confirm.html", {
            "title": _("Cancel the call?"),
            "details": [f"{format_day(row['slot_start'])}, {format_time(row['slot_start'])}", view["topic_label"]],
            "note": None, "action": f"/callbacks/{callback_id}/cancel", "yes": _("Yes, cancel the call"),
            "back": "/callbacks", "no": _("No, keep the call"),
        })

    @post("/{callback_id:int}/cancel", name="cancel_callback", opt={"scope": "callbacks"}, guards=[limited("callbacks")])
    async def cancel_callback(self, request: Request, db: DB, viewer: NamedDependency[Viewer],
                              callback_id: PathId) -> Response:
        try:
            row = await booking.cancel(db, viewer.citizen_id, callback_id, viewer.actor)
        except booking.BookingError as exc:
            return see_other(request, "/callbacks", message=error_message(exc.code))
        if row is None:
            raise NotFoundException()
        return Redirect("/callbacks?done=cancelled", status_code=303)

    async def _move_page(self, request: Request, db: asyncpg.Connection, viewer: Viewer, callback_id: int,
                         day: str | None, selected: str, error: str | None, status_code: int = 200) -> Response:
        current = await queries.select_own_callback(db, callback_id, viewer.citizen_id)
        if current is None:
            raise NotFoundException()
        context = await picker_context(db, day, selected, f"/callbacks/{callback_id}/move")
        fragment = day is not None and error is None
        return render(request, "callbacks/move.html", {
            **context, "callback": callback_view(current), "keep_form": False,
            "errors": {"slot": error_message(error)} if error else {},
        }, status_code=status_code, block="slot_picker" if fragment else None)

    @get("/{callback_id:int}/move", name="move_callback_form", opt={"scope": "callbacks"})
    async def move_form(self, request: Request, db: DB, viewer: NamedDependency[Viewer], callback_id: PathId,
                        day: FromQuery[str | None] = None) -> Response:
        return await self._move_page(request, db, viewer, callback_id, day, "", None)

    @post("/{callback_id:int}/move", name="move_callback", opt={"scope": "callbacks"}, guards=[limited("callbacks")])
    async def move_callback(self, request: Request, db: DB, viewer: NamedDependency[Viewer], callback_id: PathId,
                            data: Annotated[MoveForm, FORM]) -> Response:
        slot_start = parse_slot(data.slot)
        error = "slot_missing"
        if slot_start is not None:
            try:
                row = await booking.move(db, viewer.citizen_id, callback_id, slot_start, now(), viewer.actor)
            except booking.BookingError as exc:
                error = exc.code
            else:
                if row is None:
                    raise NotFoundException()
                return Redirect(f"/callbacks?booked={row['id']}", status_code=303)
        return await self._move_page(request, db, viewer, callback_id, None, data.slot, error, status_code=422)
