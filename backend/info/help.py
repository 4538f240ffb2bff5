"""The help and contact page (/hjaelp): how to reach Fælles Service Center (phone, opening hours and
closed days from the callback schedule, so the two never disagree), what FSC can and cannot help
with, and the contact for grant questions of the citizen's own municipality."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get
from litestar.params import FromQuery

from backend.authorities import contacts
from backend.calendar_dk import public_holidays
from backend.callbacks.queries import select_schedule
from backend.web.deps import DB, local_today
from backend.web.input import ascii_int
from backend.web.templating import render

HOLIDAYS_AHEAD = dt.timedelta(days=90)


def closed_days_ahead(today: dt.date, closed: tuple[tuple[int, int], ...]) -> list[tuple[dt.date, str | None]]:
    """The public holidays and FSC's own closed days of the next 90 days, in date order
    (a public holiday's Danish name, or None for one of FSC's own closed days)."""
    end = today + HOLIDAYS_AHEAD
    days: dict[dt.date, str | None] = {}
    for year in range(today.year, end.year + 1):
        days.update(public_holidays(year))
        for month, day in closed:
            try:
                days.setdefault(dt.date(year, month, day), None)
            except ValueError:  # 29 February in a common year
                continue
    return sorted((day, name) for day, name in days.items() if today <= day <= end)


@get("/hjaelp", name="help", opt={"access": "public"}, include_in_schema=False)
async def help_page(request: Request, db: DB, kommune: FromQuery[str] = "") -> Response:
    viewer = request.scope["state"].get("viewer")
    schedule = await select_schedule(db)
    municipality = None
    if viewer is not None:
        municipality = await contacts.select_citizen_municipality(db, viewer.citizen_id)
    elif (code := ascii_int(kommune, 1, 9999)) is not None:
        municipality = await contacts.select_municipality_by_code(db, code)
    return render(request, "info/help.html", {
        "hours": schedule.hours, "closed_days": closed_days_ahead(local_today(), schedule.closed_days),
        "municipality": municipality,
        "municipalities": [] if viewer is not None else await contacts.select_participating(db),
        "chosen": kommune,
    }, block=None)
