"""Supervisor page: the staff members, deactivate (ends their sessions at once) and reactivate.

A deactivated member cannot log in (start_staff_session refuses) and any session they still hold
stops working (the session lookup needs an active member; the rows are deleted as well).
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide

from backend.i18n import gettext as _
from backend.staff import member_queries as q
from backend.staff.guards import provide_staff, staff_required
from backend.staff.models import SUPERVISOR, StaffViewer, role_label
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.input import SmallPathId
from backend.web.templating import render, see_other

PAGE = "/fsc/staff"


class StaffMembersController(Controller):
    path = PAGE
    guards = [staff_required(SUPERVISOR)]
    dependencies = {"staff": Provide(provide_staff, sync_to_thread=False)}

    @get("/", name="staff_members", opt={"access": "supervisor"})
    async def members(self, request: Request, db: DB) -> Response:
        members = [{**dict(m), "role_label": role_label(m["role"])} for m in await q.select_staff_members(db)]
        return render(request, "staff/members.html", {"members": members}, block=None)

    @post("/{member_id:int}/deactivate", name="staff_deactivate", opt={"access": "supervisor"})
    async def deactivate(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                         member_id: SmallPathId) -> Response:
        if member_id == staff.staff_id:
            return see_other(request, PAGE, message=_("You cannot deactivate yourself. Ask another supervisor."))
        async with db.transaction():
            if not await q.set_staff_active(db, member_id, False):
                return see_other(request, PAGE, message=_("This staff member is unknown or already deactivated."))
            ended = await q.delete_staff_sessions(db, member_id)
            await log_staff_event(db, staff.staff_id, "staff_deactivated",
                                  detail={"staff_id": member_id, "sessions_ended": ended})
        return see_other(request, PAGE, message=_("The staff member is deactivated and logged out."), level="success")

    @post("/{member_id:int}/reactivate", name="staff_reactivate", opt={"access": "supervisor"})
    async def reactivate(self, request: Request, db: DB, staff: NamedDependency[StaffViewer],
                         member_id: SmallPathId) -> Response:
        async with db.transaction():
            if not await q.set_staff_active(db, member_id, True):
                return see_other(request, PAGE, message=_("This staff member is unknown or already active."))
            await log_staff_event(db, staff.staff_id, "staff_reactivated", detail={"staff_id": member_id})
        return see_other(request, PAGE, message=_("The staff member can log in again."), level="success")
