"""Login page, demo login, logout and the language switch."""

from __future__ import annotations

import datetime as dt
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
from backend.auth.sessions import (
    SESSION_COOKIE,
    cleared_session_cookie,
    language_cookie,
    new_token,
    session_cookie,
    token_hash,
)
from backend.i18n import gettext as _
from backend.seed.demo import demo_citizens
from backend.web.deps import DB
from backend.web.templating import render
from backend.web.input import ascii_int

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class DemoLoginForm(msgspec.Struct):
    citizen_id: str = ""
    next: str = "/"


class LanguageForm(msgspec.Struct):
    language: str = ""
    next: str = "/"


def safe_next(target: str) -> str:
    """Only local paths may be redirect targets (no open redirects)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthController(Controller):
    @get("/login", name="login")
    async def login_page(self, request: Request, db: DB, next: FromQuery[str] = "/") -> Response:
        settings = request.app.state.settings
        citizens = await demo_citizens(db) if settings.demo_login else []
        return render(request, "login.html", {"citizens": citizens, "next": safe_next(next), "error": None})

    @post("/login/demo", name="demo_login")
    async def demo_login(
        self, request: Request, db: DB, data: Annotated[DemoLoginForm, FORM]
    ) -> Response:
        settings = request.app.state.settings
        if not settings.demo_login:
            raise NotFoundException()
        citizen_id = ascii_int(data.citizen_id, 1)
        citizen = await queries.select_demo_citizen(db, citizen_id) if citizen_id else None
        if citizen is None:
            citizens = await demo_citizens(db)
            return render(
                request, "login.html",
                {"citizens": citizens, "next": safe_next(data.next), "error": _("Choose a person from the list.")},
                status_code=422,
            )
        token = new_token()
        async with db.transaction():
            # A new token at every login: an old (possibly planted) session id is never promoted.
            old = request.cookies.get(SESSION_COOKIE)
            if old and (old_hash := token_hash(old)):
                await queries.delete_session(db, old_hash)
            await queries.insert_session(db, token_hash(token), citizen["id"], dt.timedelta(hours=settings.session_hours))
            await log_event(db, actor_kind="citizen", actor_id=citizen["id"], citizen_id=citizen["id"],
                            action="login", detail={"method": "demo"})
        return Redirect(safe_next(data.next), status_code=303, cookies=[session_cookie(settings, token)])

    @post("/logout", name="logout")
    async def logout(self, request: Request, db: DB) -> Response:
        viewer = request.state.viewer
        if viewer is not None:
            async with db.transaction():
                await queries.delete_session(db, viewer.session_hash)
                await log_event(db, actor_kind="citizen", actor_id=viewer.citizen_id,
                                citizen_id=viewer.citizen_id, action="logout")
        return Redirect("/login", status_code=303, cookies=[cleared_session_cookie(request.app.state.settings)])

    @post("/language", name="set_language")
    async def set_language(
        self, request: Request, db: DB, data: Annotated[LanguageForm, FORM]
    ) -> Response:
        settings = request.app.state.settings
        if data.language not in i18n.LANGUAGES:
            return render(request, "error.html",
                          {"title": _("Unknown language"), "message": _("Choose Danish or English.")},
                          status_code=422, block=None)
        viewer = request.state.viewer
        if viewer is not None:
            await queries.update_citizen_language(db, viewer.citizen_id, data.language)
        return Redirect(safe_next(data.next), status_code=303, cookies=[language_cookie(settings, data.language)])
