"""The callback queue: today's and upcoming requests, live (htmx polling), and claiming one.

The page polls itself every few seconds with ``?since=<version>``; the version is a hash of what
the queue shows, so an unchanged queue answers 204 (htmx swaps nothing, screen readers hear
nothing) and a changed one answers just the queue block plus a short polite announcement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Redirect

from backend.callbacks.labels import STATUS_BADGES, status_label, topic_label
from backend.callbacks.rules import CLAIMABLE_STATUSES, MAX_ATTEMPTS, TZ
from backend.i18n import gettext as _
from backend.i18n import ngettext
from backend.callbacks import staff_queries as cq
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.templating import is_fragment_request, render
from backend.web.input import PathId

POLL_SECONDS = 5


def start_of_today() -> dt.datetime:
    return dt.datetime.combine(dt.datetime.now(TZ).date(), dt.time(), TZ)


def queue_row(row: asyncpg.Record, staff: StaffViewer, now: dt.datetime) -> dict[str, Any]:
    return {
        **dict(row),
        "topic_label": topic_label(row["topic"]),
        "status_label": status_label(row["status"]),
        "badge": STATUS_BADGES[row["status"]],
        "claimable": row["status"] in CLAIMABLE_STATUSES,
        "mine": row["claimed_by"] == staff.staff_id and row["status"] == "in_progress",
        "overdue": row["status"] in CLAIMABLE_STATUSES and row["slot_start"] < now,
    }


def queue_version(views: list[dict[str, Any]]) -> str:
    """Changes exactly when what the queue shows changes (including a request becoming overdue)."""
    digest = hashlib.sha256()
    for v in views:
        fields = (v["id"], v["status"], v["claimed_by"], v["version"], v["attempts"], v["overdue"])
        digest.update(repr(fields).encode())
    return digest.hexdigest()[:16]


async def queue_context(db: asyncpg.Connection, staff: StaffViewer) -> dict[str, Any]:
    rows = await cq.select_queue(db, start_of_today())
    now = dt.datetime.now(TZ)
    views = [queue_row(r, staff, now) for r in rows]
    return {
        "rows": views,
        "version": queue_version(views),
        "waiting": sum(1 for v in views if v["claimable"]),
        "poll_seconds": POLL_SECONDS,
        "max_attempts": MAX_ATTEMPTS,
    }


class QueueController(Controller):
    path = "/fsc"
    opt = {"access": "staff"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/queue", name="staff_queue")
    async def queue(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                    since: FromQuery[str | None] = None) -> Response:
        context = await queue_context(db, staff)
        fragment = is_fragment_request(request)
        if not fragment:  # the queue names citizens and their topics: each page view is in the access log, polls are not
            await log_staff_event(db, staff.staff_id, "staff_viewed_queue",
                                  detail={"requests": len(context["rows"]),
                                          "citizens": len({r["citizen_id"] for r in context["rows"]})})
        if fragment and since == context["version"]:
            return Response(b"", status_code=204, headers={"Cache-Control": "no-store", "Vary": "HX-Request, Cookie"})
        announcement = None
        if fragment and since is not None:
            announcement = ngettext("The queue was updated: %(num)s request waiting.",
                                    "The queue was updated: %(num)s requests waiting.",
                                    context["waiting"]) % {"num": context["waiting"]}
        return render(request, "staff/queue.html", {**context, "error": None, "announcement": announcement},
                      block="queue")

    @post("/callbacks/{callback_id:int}/claim", name="staff_claim")
    async def claim(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                    callback_id: PathId) -> Response:
        async with db.transaction():
            row = await cq.claim(db, callback_id, staff.staff_id)
            if row is not None:
                await log_staff_event(db, staff.staff_id, "callback_claimed", citizen_id=row["citizen_id"],
                                      detail={"callback_id": callback_id})
        if row is None:
            context = await queue_context(db, staff)
            error = _("Another advisor has already taken this request, or it is no longer waiting.")
            return render(request, "staff/queue.html", {**context, "error": error, "announcement": None},
                          status_code=409, block=None)
        return Redirect(f"/fsc/callbacks/{callback_id}", status_code=303)
