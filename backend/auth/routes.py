"""Login page, demo login, logout and the language switch."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.response import Redirect

from backend import i18n
from backend.audit import log_event
from backend.auth import queries
from backend.auth.sessions import SESSION_COOKIE, cleared_session_cookie, language_cookie, start_citizen_session
from backend.i18n import gettext as _
from backend.ratelimit.limiter import enforce, numeric_account
from backend.seed.demo import demo_citizens
from backend.seed.helpers import demo_helpers
from backend.web.deps import DB
from backend.web.templating import render, see_other
from backend.web.input import ascii_int

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
CHOOSE_AFTER_LOGIN = "/fuldmagt/vaelg"
"""Where a person with a power of attorney lands after login: "mig selv" or whom they help."""


class DemoLoginForm(msgspec.Struct):
    citizen_id: str = ""
    person_id: str = ""  # a demo helper (a person who is not a citizen) instead of a citizen
    next: str = "/"
    remember: str = ""  # "1": the "remember this phone" checkbox was ticked


class LanguageForm(msgspec.Struct):
    language: str = ""
    next: str = "/"


def safe_next(target: str) -> str:
    """Only local paths may be redirect targets (no open redirects)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthController(Controller):
    @get("/login", name="login", opt={"access": "public"})
    async def login_page(self, request: Request, db: DB, next: FromQuery[str] = "/") -> Response:
        settings = request.app.state.settings
        citizens = await demo_citizens(db) if settings.demo_login else []
        helpers = await demo_helpers(db) if settings.demo_login else []
        return render(request, "login.html", {"citizens": citizens, "helpers": helpers, "next": safe_next(next),
                                              "error": None,
                                              "remember_days": settings.remember_session_days,
                                              "oidc_login": bool(settings.oidc_issuer)})

    @post("/login/demo", name="demo_login", opt={"access": "public"})
    async def demo_login(
        self, request: Request, db: DB, data: Annotated[DemoLoginForm, FORM]
    ) -> Response:
        settings = request.app.state.settings
        if not settings.demo_login:
            raise NotFoundException()
        # Per client and per chosen person, before anything is looked up or written.
        if data.person_id:
            return await self._demo_helper_login(request, db, data)
        # Per client and per chosen person, before anything is looked up or written.
        await enforce(request, "login", account=numeric_account("citizen", data.citizen_id), conn=db)
        citizen_id = ascii_int(data.citizen_id, 1)
        citizen = await queries.select_demo_citizen(db, citizen_id) if citizen_id else None
        if citizen is None:
            citizens = await demo_citizens(db)
            return render(
                request, "login.html",
                {"citizens": citizens, "helpers": await demo_helpers(db), "next": safe_next(data.next),
                 "error": _("Choose a person from the list."),
                 "remember_days": settings.remember_session_days, "oidc_login": bool(settings.oidc_issuer)},
                status_code=422,
            )
        cookie = await start_citizen_session(db, settings, citizen["id"], request.cookies.get(SESSION_COOKIE),
                                             remember=data.remember == "1", method="demo")
        return Redirect(safe_next(data.next), status_code=303, cookies=[cookie])

    async def _demo_helper_login(self, request: Request, db: DB, data: DemoLoginForm) -> Response:
        """A demo helper logs in as themself (a person) and chooses whom to act for."""
        settings = request.app.state.settings
        await enforce(request, "login", account=numeric_account("person", data.person_id), conn=db)
        person_id = ascii_int(data.person_id, 1)
        person = await queries.select_demo_person(db, person_id) if person_id else None
        if person is None:
            return render(request, "login.html", {
                "citizens": await demo_citizens(db), "helpers": await demo_helpers(db), "next": safe_next(data.next),
                "error": _("Choose a person from the list."), "remember_days": settings.remember_session_days,
                "oidc_login": bool(settings.oidc_issuer)}, status_code=422)
        cookie = await start_citizen_session(db, settings, person["citizen_id"], request.cookies.get(SESSION_COOKIE),
                                             remember=data.remember == "1", method="demo", person_id=person["id"])
        target = safe_next(data.next)  # an invitation link opened before login comes first
        return Redirect(target if target.startswith("/fuldmagt") else CHOOSE_AFTER_LOGIN, status_code=303,
                        cookies=[cookie])

    @post("/logout", name="logout", opt={"access": "public"})
    async def logout(self, request: Request, db: DB) -> Response:
        person = request.scope["state"].get("person")
        target = "/login"
        if person is not None:
            async with db.transaction():
                await queries.delete_session(db, person.session_hash)
                await log_event(db, actor_kind="citizen" if person.citizen_id else "person",
                                actor_id=person.citizen_id or person.person_id, citizen_id=person.citizen_id,
                                action="logout")
            provider = request.app.state.oidc.citizen
            if person.via_provider and provider is not None:  # RP-initiated logout, when the provider offers it
                back = (request.app.state.settings.public_url or str(request.base_url)).rstrip("/") + "/login"
                target = await provider.end_session_url(post_logout_redirect_uri=back) or target
        return Redirect(target, status_code=303, cookies=[cleared_session_cookie(request.app.state.settings)])

    @post("/logout/everywhere", name="logout_everywhere", opt={"access": "citizen"})
    async def logout_everywhere(self, request: Request, db: DB) -> Response:
        """End all of the citizen's sessions: on this phone and on every other device (a lost phone)."""
        viewer = request.state.viewer
        async with db.transaction():
            person = request.scope["state"].get("person")
            ended = await queries.delete_citizen_sessions(db, viewer.citizen_id, person.person_id if person else None)
            await log_event(db, actor_kind=viewer.actor[0], actor_id=viewer.actor[1], citizen_id=viewer.citizen_id,
                            action="logout_everywhere", detail={"sessions": ended})
        response = see_other(request, "/login", message=_("You are now logged out on all your devices."),
                             level="success")
        response.set_cookie(cleared_session_cookie(request.app.state.settings))
        return response

    @post("/language", name="set_language", opt={"access": "public"})
    async def set_language(
        self, request: Request, db: DB, data: Annotated[LanguageForm, FORM]
    ) -> Response:
        settings = request.app.state.settings
        if data.language not in i18n.LANGUAGES:
            return render(request, "error.html",
                          {"title": _("Unknown language"), "message": _("Choose Danish or English.")},
                          status_code=422, block=None)
        viewer = request.state.viewer
        if viewer is not None and not viewer.is_helper:  # a helper's choice is not the citizen's
            await queries.update_citizen_language(db, viewer.citizen_id, data.language)
        return Redirect(safe_next(data.next), status_code=303, cookies=[language_cookie(settings, data.language)])
