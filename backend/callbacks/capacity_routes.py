"""Supervisor pages: opening hours and advisors per slot, capacity of single slots, reports.

A change never drops a booking silently: when the new schedule would leave future bookings
outside the opening hours or over a slot's capacity, the page lists them and saves only after
the supervisor confirms. The bookings themselves are kept either way (FSC calls them, or moves
them with the citizen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Redirect

from backend.callbacks import queries as callback_queries
from backend.callbacks.rules import (
    MAX_CAPACITY,
    OPTIONAL_CLOSED_DAYS,
    SLOT_MINUTES,
    TZ,
    Schedule,
    affected_bookings,
    closed_day_value,
    slot_starts,
)
from backend.i18n import gettext as _
from backend.callbacks import capacity_queries as q
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.templating import render
from backend.web.input import ascii_int
from backend.web.openapi_bodies import FORM, body_operation, text_fields

WEEKDAY_KEYS = range(7)


class NeedsConfirmation(Exception):
    """Roll the transaction back: the change would not fit existing bookings and was not confirmed."""

    def __init__(self, affected: list[tuple[dt.datetime, int, int, str]]) -> None:
        super().__init__("needs confirmation")
        self.affected = affected


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise ValueError(value) from None


def _int(value: str, low: int, high: int) -> int | None:
    return ascii_int(value.strip(), low, high) if isinstance(value, str) else None


def parse_schedule(form: Mapping[str, str]) -> tuple[Schedule | None, dict[str, str]]:
    """The schedule from the capacity form, or None and translated errors per field."""
    errors: dict[str, str] = {}
    slot_minutes = _int(form.get("slot_minutes", ""), 1, 60)
    if slot_minutes not in SLOT_MINUTES:
        errors["slot_minutes"] = _("Choose a slot length from the list.")
    capacity = _int(form.get("advisors_per_slot", ""), 0, MAX_CAPACITY)
    if capacity is None:
        errors["advisors_per_slot"] = _("Write a whole number from 0 to 50.")
    hours: list[tuple[dt.time, dt.time] | None] = []
    for weekday in WEEKDAY_KEYS:
        try:
            opens, closes = _time(form.get(f"opens_{weekday}", "")), _time(form.get(f"closes_{weekday}", ""))
        except ValueError:
            errors[f"day_{weekday}"] = _("Write the time as hours and minutes, for example 08:00.")
            continue
        if (opens is None) != (closes is None):
            errors[f"day_{weekday}"] = _("Fill in both the opening and the closing time, or neither (closed).")
        elif opens is not None and closes is not None and opens >= closes:
            errors[f"day_{weekday}"] = _("The closing time must be after the opening time.")
        hours.append((opens, closes) if opens is not None and closes is not None else None)
    closed = tuple(d for d in OPTIONAL_CLOSED_DAYS if form.get(f"closed_{closed_day_value(d)}"))
    if errors:
        return None, errors
    return Schedule(tuple(hours), slot_minutes, capacity, closed), {}  # type: ignore[arg-type]


def form_values(schedule: Schedule) -> dict[str, str]:
    values = {"slot_minutes": str(schedule.slot_minutes), "advisors_per_slot": str(schedule.capacity)}
    for weekday, hours in enumerate(schedule.hours):
        values[f"opens_{weekday}"] = hours[0].strftime("%H:%M") if hours else ""
        values[f"closes_{weekday}"] = hours[1].strftime("%H:%M") if hours else ""
    for day in schedule.closed_days:
        values[f"closed_{closed_day_value(day)}"] = "on"
    return values


SCHEDULE_FORM = text_fields("slot_minutes", "advisors_per_slot", "confirm",
                            *(f"{edge}_{weekday}" for weekday in range(7) for edge in ("opens", "closes")))


class CapacityController(Controller):
    path = "/fsc"
    opt = {"access": "supervisor"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    async def _page(self, request: Request, db: asyncpg.Connection, values: Mapping[str, str], *,
                    errors: Mapping[str, str] | None = None, affected: list | None = None,
                    slot_form: Mapping[str, str] | None = None, status_code: int = 200,
                    saved: str | None = None) -> Response:
        now = dt.datetime.now(TZ)
        return render(request, "staff/capacity.html", {
            "values": values, "errors": errors or {}, "affected": affected or [], "saved": saved,
            "slot_form": slot_form or {}, "overrides": await q.select_overrides(db, now),
            "slot_lengths": SLOT_MINUTES, "optional_closed": OPTIONAL_CLOSED_DAYS,
            "closed_day_value": closed_day_value, "weekdays": WEEKDAY_KEYS,
        }, status_code=status_code, block=None)

    @get("/capacity", name="staff_capacity")
    async def capacity(self, request: Request, db: DB, saved: FromQuery[str | None] = None) -> Response:
        schedule = await callback_queries.select_schedule(db)
        return await self._page(request, db, form_values(schedule), saved=saved)

    @post("/capacity", name="staff_capacity_save", operation_class=body_operation(FORM, SCHEDULE_FORM))
    async def save(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        form = dict((await request.form()).items())
        schedule, errors = parse_schedule(form)
        if schedule is None:
            return await self._page(request, db, form, errors=errors, status_code=422)
        try:
            async with db.transaction():
                before = await q.lock_schedule(db)
                booked = await q.select_future_bookings(db, dt.datetime.now(TZ))
                affected = affected_bookings(schedule, [(r["slot_start"], r["booked"], r["capacity"]) for r in booked])
                if affected and not form.get("confirm"):
                    raise NeedsConfirmation(affected)
                await q.update_schedule(db, schedule, staff.staff_id)
                await log_staff_event(db, staff.staff_id, "capacity_changed", detail={
                    "before": form_values(before), "after": form_values(schedule), "bookings_outside": len(affected)})
        except NeedsConfirmation as exc:
            return await self._page(request, db, form, affected=exc.affected, status_code=409)
        return Redirect("/fsc/capacity?saved=schedule", status_code=303)

    @post("/capacity/slot", name="staff_slot_capacity",
          operation_class=body_operation(FORM, text_fields("day", "time", "capacity", "confirm")))
    async def slot_capacity(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        form = dict((await request.form()).items())
        schedule = await callback_queries.select_schedule(db)
        errors: dict[str, str] = {}
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(form.get("day", "")),
                                        dt.time.fromisoformat(form.get("time", "")), TZ)
        except ValueError:
            start = None
        if start is None or start not in slot_starts(schedule, start.date()) or start < dt.datetime.now(TZ):
            errors["slot"] = _("Choose a future day and a time when FSC is open.")
        raw = form.get("capacity", "").strip()
        capacity = None if raw == "" else _int(raw, 0, MAX_CAPACITY)
        if raw and capacity is None:
            errors["capacity"] = _("Write a whole number from 0 to 50, or leave it empty for the usual capacity.")
        values = form_values(schedule)
        if errors:
            return await self._page(request, db, values, errors=errors, slot_form=form, status_code=422)
        try:
            async with db.transaction():
                await callback_queries.lock_slot(db, start)
                booked = await callback_queries.count_booked(db, start)
                new_capacity = schedule.capacity if capacity is None else capacity
                if booked > new_capacity and not form.get("confirm"):
                    raise NeedsConfirmation([(start, booked, new_capacity, "over_capacity")])
                await q.upsert_slot_capacity(db, start, capacity)
                await log_staff_event(db, staff.staff_id, "slot_capacity_changed",
                                      detail={"slot_start": start.isoformat(), "capacity": capacity, "booked": booked})
        except NeedsConfirmation as exc:
            return await self._page(request, db, values, slot_form=form, affected=exc.affected, status_code=409)
        return Redirect("/fsc/capacity?saved=slot", status_code=303)
