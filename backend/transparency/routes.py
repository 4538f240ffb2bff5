"""The citizen's own pages about their data: "Hvem har set og gjort hvad" and "Hent alle dine data".

Both are for the citizen themself only: ``opt={"access": "citizen"}`` without a helper ``scope``
(backend/web/access.py), and a helper acting for the citizen is refused here as well.
Reading the log is not logged (it would fill the log with the citizen's own visits); downloading
all the data is (``data_exported``), because a copy of everything then exists outside the app.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery

from backend import i18n
from backend.i18n import format_date, format_time
from backend.i18n import gettext as _
from backend.audit import log_event
from backend.auth.models import Viewer
from backend.catalog.labels import N_
from backend.transparency import queries
from backend.transparency.export import build_export, encode, export_filename
from backend.transparency.labels import log_entry
from backend.web.deps import COPENHAGEN, DB, provide_viewer
from backend.web.input import ascii_int
from backend.web.input_limits import BadInput
from backend.web.templating import render

PAGE_SIZE = 25
MAX_PAGE = 100_000
BAD_PAGE = N_("The page number must be a whole number from 1 and up. Go to the newest entries and use the "
              "links at the bottom of the page.")
VIEWER = {"viewer": Provide(provide_viewer, sync_to_thread=False)}


def own_data_only(viewer: Viewer) -> None:
    """A helper never sees the citizen's log or downloads all their data, whatever their scopes."""
    if viewer.is_helper:
        raise PermissionDeniedException()


def page_number(side: str | None) -> int:
    if side is None:
        return 1
    number = ascii_int(side.strip(), 1, MAX_PAGE)
    if number is None:
        raise BadInput(BAD_PAGE)
    return number


def when(at: dt.datetime) -> str:
    """Date with the year (the log goes back years) and the time, in Danish time."""
    return _("%(date)s at %(time)s") % {"date": format_date(at.astimezone(COPENHAGEN).date()), "time": format_time(at)}


def page_url(number: int) -> str:
    return "/hvem-har-set" if number == 1 else f"/hvem-har-set?side={number}"


@get("/hvem-har-set", name="citizen_log", opt={"access": "citizen"}, dependencies=VIEWER)
async def citizen_log(request: Request, db: DB, viewer: NamedDependency[Viewer],
                      side: FromQuery[str | None] = None) -> Response:
    own_data_only(viewer)
    number = page_number(side)
    rows = await queries.select_log_page(db, viewer.citizen_id, PAGE_SIZE + 1, (number - 1) * PAGE_SIZE)
    entries = [{**log_entry(r), "when": when(r["at"])} for r in rows[:PAGE_SIZE]]
    beyond_the_end = number > 1 and not entries
    return render(request, "transparency/log.html", {
        "entries": entries, "page": number, "beyond_the_end": beyond_the_end,
        "newer_url": page_url(number - 1) if number > 1 and not beyond_the_end else None,
        "older_url": page_url(number + 1) if len(rows) > PAGE_SIZE else None,
    }, status_code=404 if beyond_the_end else 200, block=None)


@get("/mine-data.json", name="citizen_data_export", opt={"access": "citizen"}, dependencies=VIEWER)
async def citizen_data_export(db: DB, viewer: NamedDependency[Viewer]) -> Response:
    own_data_only(viewer)
    now = dt.datetime.now(COPENHAGEN)
    # One snapshot for all the tables, and the download is in the log only if it was built.
    async with db.transaction(isolation="repeatable_read"):
        export = await build_export(db, viewer.citizen_id, i18n.current_language.get(), now)
        kind, actor_id = viewer.actor
        await log_event(db, actor_kind=kind, actor_id=actor_id, citizen_id=viewer.citizen_id, action="data_exported",
                        detail={"format_version": export.format_version})
    return Response(encode(export), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{export_filename(now.date())}"',
        "Cache-Control": "no-store",
    })


routes = [citizen_log, citizen_data_export]
