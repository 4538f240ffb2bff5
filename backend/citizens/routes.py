"""Find the caller and open the citizen's record (FSC advisors and supervisors).

``GET /fsc/search?q=…`` searches by name, phone number or order number (a plain GET form: works
without JavaScript, and the address can be kept). A CPR number is searched with ``POST /fsc/search``
only: it must never be in a URL (browser history, proxy and server logs), so the address-bar form
refuses it. Each search is written to the access log (how it searched and how many it found; never
what was typed). Opening a record asks for the reason first and logs it (backend/staff/access_reasons.py).
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery

from backend.callbacks import staff_queries as cq
from backend.callbacks.call_view import callback_view, reason_page
from backend.callbacks.labels import TOPIC_LABELS, topic_label
from backend.callbacks.rules import MAX_OPEN_PER_CITIZEN, OPEN_STATUSES
from backend.citizens import queries
from backend.citizens.cpr import cpr_hash
from backend.citizens.search import parse_search, valid_cpr
from backend.grants.views import load_citizen_grants
from backend.i18n import gettext as _
from backend.orders.status import status_label
from backend.powers.staff_view import helpers_context
from backend.staff.access_reasons import REASON_LABELS, parse_reason
from backend.staff.guards import provide_staff, staff_required
from backend.staff.models import StaffViewer
from backend.staff.queries import log_citizen_view, log_staff_event
from backend.web.deps import DB, local_today
from backend.web.input import PathId
from backend.web.templating import render

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def search_error(code: str) -> str:
    return {
        "too_short": _("Write at least 2 letters of the name, a phone number or an order number."),
        "use_cpr_form": _("That looks like a CPR number. Search for it in the CPR number field below: "
                          "a CPR number must not be sent in the page address."),
        "not_a_number": _("Write a phone number with 8 digits (for example 12 34 56 78) or an order number."),
        "cpr_invalid": _("Write the CPR number with 10 digits and a real date of birth, for example 010203-1234."),
    }[code]


class CprForm(msgspec.Struct):
    cpr: str = ""


class CitizenLookupController(Controller):
    path = "/fsc"
    opt = {"access": "staff"}  # see backend/web/access.py
    guards = [staff_required("advisor", "supervisor")]  # and only these roles (not a later caseworker role)
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @staticmethod
    async def _results(request: Request, db: asyncpg.Connection, staff: StaffViewer, by: str,
                       value: str | bytes) -> tuple[list[dict[str, Any]], bool]:
        ids = await queries.find_citizen_ids(db, by, value)
        rows = await queries.select_search_results(db, ids[:queries.MAX_RESULTS])
        # The results name citizens: the search is in the access log (how and how many, not what was typed).
        await log_staff_event(db, staff.staff_id, "staff_searched_citizens",
                              detail={"by": by, "results": len(rows), "citizen_ids": [r["id"] for r in rows]})
        return [{**dict(r), "last_order_label": status_label(r["last_order_status"]) if r["last_order_id"] else None}
                for r in rows], len(ids) > queries.MAX_RESULTS

    @staticmethod
    def _page(request: Request, *, q: str = "", results: list | None = None, more: bool = False,
              error: str | None = None, cpr_error: str | None = None, searched_by: str | None = None,
              status_code: int = 200) -> Response:
        return render(request, "staff/search.html", {"q": q, "results": results, "more": more, "error": error,
                                                     "cpr_error": cpr_error, "searched_by": searched_by},
                      status_code=status_code, block=None)

    @get("/search", name="staff_search")
    async def search(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                     q: FromQuery[str | None] = None) -> Response:
        if q is None:
            return self._page(request)
        search, problem = parse_search(q)
        if search is None:
            # A CPR typed here is already in this URL: never echo it back into the page or a link.
            shown = "" if problem == "use_cpr_form" else q
            return self._page(request, q=shown, error=search_error(problem), status_code=422)
        results, more = await self._results(request, db, staff, search.by, search.value)
        return self._page(request, q=q, results=results, more=more, searched_by=search.by)

    @post("/search", name="staff_search_cpr")
    async def search_cpr(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                         data: Annotated[CprForm, FORM]) -> Response:
        digits = valid_cpr(data.cpr)
        if digits is None:
            return self._page(request, cpr_error=search_error("cpr_invalid"), status_code=422)
        key = request.app.state.settings.cpr_key
        results, more = await self._results(request, db, staff, "cpr", cpr_hash(key, digits))
        return self._page(request, results=results, more=more, searched_by="cpr")

    @get("/citizens/{citizen_id:int}", name="staff_citizen")
    async def record(self, request: Request, db: DB, staff: NamedDependency[StaffViewer], citizen_id: PathId,
                     reason: FromQuery[str | None] = None) -> Response:
        citizen = await cq.select_citizen(db, citizen_id)
        if citizen is None:
            raise NotFoundException()
        picked = parse_reason(reason)
        if picked is None:  # nothing of the citizen is shown before the reason is picked
            return reason_page(request, f"/fsc/citizens/{citizen_id}", title=_("Open the citizen's record"))
        await log_citizen_view(db, staff.staff_id, citizen_id, view="record", callback_id=None, reason=picked)
        loaded = await load_citizen_grants(db, citizen_id, local_today())
        calls = [callback_view(r) for r in await cq.select_other_callbacks(db, citizen_id, 0, limit=20)]
        open_booked = sum(1 for c in calls if c["kind"] == "booked" and c["status"] in OPEN_STATUSES)
        return render(request, "staff/citizen.html", {
            "citizen": citizen, "grants": loaded.grants, "orders": await cq.select_last_orders(db, citizen_id),
            "calls": calls, "reason": picked, "reason_label": _(REASON_LABELS[picked]),
            "topics": {key: topic_label(key) for key in TOPIC_LABELS}, "order_status_label": status_label,
            "can_book": open_booked < MAX_OPEN_PER_CITIZEN, "staff_id": staff.staff_id,
            **await helpers_context(db, citizen_id),  # who may call and act for the citizen, as in the call view
        }, block=None)
