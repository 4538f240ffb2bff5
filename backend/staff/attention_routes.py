"""Orders to follow up: what the warehouse refused or answered too late (backend/orders/attention.py).

Advisors see the list (names and order numbers of citizens: a staff view of personal data, so each
page view is written to the access log) and mark an item handled once they have called the citizen.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect

from backend.i18n import gettext as _
from backend.orders import attention
from backend.orders.status import status_label
from backend.staff.guards import provide_staff
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.templating import render
from backend.web.input import PathId


class AttentionController(Controller):
    path = "/fsc/orders/attention"
    opt = {"access": "staff"}  # see backend/web/access.py
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/", name="staff_attention")
    async def list_open(self, request: Request, db: DB, staff: NamedDependency[StaffViewer]) -> Response:
        rows = await attention.select_open(db)
        await log_staff_event(db, staff.staff_id, "staff_viewed_order_attention",
                              detail={"orders": [r["order_id"] for r in rows]})
        items = [{**dict(r), "kind_label": _(attention.KINDS[r["kind"]]), "status_label": status_label(r["status"])}
                 for r in rows]
        return render(request, "staff/attention.html", {"items": items}, block=None)

    @post("/{attention_id:int}/handled", name="staff_attention_handled")
    async def handled(self, db: DB, staff: NamedDependency[StaffViewer], attention_id: PathId) -> Redirect:
        async with db.transaction():
            row = await attention.mark_handled(db, attention_id, staff.staff_id)
            if row is not None:
                await log_staff_event(db, staff.staff_id, "order_attention_handled", citizen_id=row["citizen_id"],
                                      detail={"order_id": row["order_id"], "attention_id": attention_id})
        return Redirect("/fsc/orders/attention", status_code=303)

    @get("/{attention_id:int}/handled", name="staff_attention_handled_get")
    async def handled_get(self) -> Redirect:
        return Redirect("/fsc/orders/attention", status_code=303)
