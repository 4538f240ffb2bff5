"""Staff login (demo login in development; OIDC arrives with the auth issue) and logout."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from backend.auth.routes import safe_next
from backend.i18n import gettext as _
from backend.ratelimit.limiter import enforce, numeric_account
from backend.staff import queries
from backend.staff.guards import current_staff
from backend.staff.models import CASEWORKER, role_label
from backend.staff.sessions import STAFF_COOKIE, cleared_staff_cookie, start_staff_session
from backend.web.deps import DB
from backend.web.templating import render
from backend.web.input import INT32_MAX, ascii_int

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
HOME = "/fsc/queue"
CASEWORKER_HOME = "/fsc/sag"


class StaffLoginForm(msgspec.Struct):
    staff_id: str = ""
    next: str = HOME


def staff_next(target: str) -> str:
    """Only staff console paths are targets after a staff login."""
    target = safe_next(target)
    return target if target.startswith("/fsc/") else HOME


def landing(role: str, target: str) -> str:
    """Where a login lands: a caseworker goes to their own queue (the FSC pages would refuse them)
    unless they were sent to log in from a caseworker page."""
    if role == CASEWORKER and not target.startswith(CASEWORKER_HOME):
        return CASEWORKER_HOME
    return target


def member_choices(members) -> list[dict]:
    """The demo picker's entries: a caseworker's role names their authority."""
    return [{**dict(m), "role_label": role_label(m["role"]) + (f" · {m['authority_name']}" if m["authority_name"] else "")}
            for m in members]


class StaffAuthController(Controller):
    path = "/fsc"

    @get(["/", ""], name="staff_home", opt={"access": "public"})
    async def staff_home(self, request: Request) -> Response:
        staff = current_staff(request)
        return Redirect(landing(staff.role, HOME) if staff else "/fsc/login", status_code=303)

    @get("/login", name="staff_login", opt={"access": "public"})
    async def login_page(self, request: Request, db: DB, next: FromQuery[str] = HOME) -> Response:
        settings = request.app.state.settings
        members = await queries.select_demo_staff(db) if settings.demo_login else []
        return render(request, "staff/login.html", {
            "members": member_choices(members),
            "next": staff_next(next), "error": None, "oidc_login": bool(settings.staff_oidc_issuer),
        })

    @post("/login/demo", name="staff_demo_login", opt={"access": "public"})
    async def demo_login(self, request: Request, db: DB, data: Annotated[StaffLoginForm, FORM]) -> Response:
        settings = request.app.state.settings
        if not settings.demo_login:
            raise NotFoundException()
        await enforce(request, "login", account=numeric_account("staff", data.staff_id), conn=db)
        staff_id = ascii_int(data.staff_id, 1, INT32_MAX)
        member = await queries.select_demo_staff_member(db, staff_id) if staff_id else None
        if member is None:
            members = await queries.select_demo_staff(db)
            return render(request, "staff/login.html", {
                "members": member_choices(members),
                "next": staff_next(data.next), "error": _("Choose a staff member from the list."),
                "oidc_login": bool(settings.staff_oidc_issuer),
            }, status_code=422)
        cookie = await start_staff_session(db, settings, member["id"], request.cookies.get(STAFF_COOKIE), method="demo")
        if cookie is None:  # deactivated between the lookup and now
            raise PermissionDeniedException()
        return Redirect(landing(member["role"], staff_next(data.next)), status_code=303, cookies=[cookie])

    @post("/logout", name="staff_logout", opt={"access": "public"})
    async def logout(self, request: Request, db: DB) -> Response:
        staff = current_staff(request)
        target = "/fsc/login"
        if staff is not None:
            async with db.transaction():
                await queries.delete_staff_session(db, staff.session_hash)
                await queries.log_staff_event(db, staff.staff_id, "staff_logout")
            provider = request.app.state.oidc.staff
            if staff.via_provider and provider is not None:  # RP-initiated logout, when the provider offers it
                back = (request.app.state.settings.public_url or str(request.base_url)).rstrip("/") + "/fsc/login"
                target = await provider.end_session_url(post_logout_redirect_uri=back) or target
        return Redirect(target, status_code=303, cookies=[cleared_staff_cookie(request.app.state.settings)])
