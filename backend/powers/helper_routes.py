"""The helper's side: accept a power of attorney (code or link), choose whom to act for.

A helper logs in as themself (MitID: a person, citizen or not); these routes are for any signed-in
person (access "person"). Accepting is rate limited per person and per client (guessed codes).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, FromQuery

from backend.auth.models import SignedInPerson
from backend.auth.oidc_routes import WELCOME
from backend.i18n import gettext as _
from backend.powers import queries, service
from backend.powers.rules import PowerRefused, scope_labels
from backend.ratelimit.limiter import enforce
from backend.web.deps import DB
from backend.web.input import ascii_int
from backend.web.templating import render, see_other

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
CHOOSE = "/fuldmagt/vaelg"


def signed_in_person(request: Request) -> SignedInPerson:
    person = request.scope["state"].get("person")
    if person is None:
        raise NotAuthorizedException()
    return person


def rate_account(person: SignedInPerson) -> str:
    return f"person:{person.person_id}" if person.person_id is not None else f"citizen:{person.citizen_id}"


class PowerAcceptController(Controller):
    path = "/fuldmagt"
    opt = {"access": "person"}  # see backend/web/access.py

    async def _accept_page(self, request: Request, db: DB, person: SignedInPerson, *, token: str = "",
                           invitation: Any = None, error: str | None = None, code: str = "",
                           status_code: int = 200) -> Response:
        powers = await queries.select_powers_of_person(db, person.person_id) if person.person_id else []
        return render(request, "powers/accept.html", {
            "token": token, "invitation": invitation, "error": error, "code": code, "powers": powers,
            "scope_labels": scope_labels(), "person": person,
        }, status_code=status_code)

    @get("/", name="power_accept_form")
    async def accept_form(self, request: Request, db: DB, t: FromQuery[str] = "") -> Response:
        """The code form; from an invitation link (``?t=``): whose invitation it is and what it allows."""
        person = signed_in_person(request)
        if not t:
            return await self._accept_page(request, db, person)
        await enforce(request, "power_code", account=rate_account(person), conn=db)
        try:
            invitation = await service.find_invitation(db, request.app.state.settings.secret_key, token=t[:100])
        except PowerRefused as refused:
            return await self._accept_page(request, db, person, error=refused.message,
                                           status_code=refused.status_code)
        return await self._accept_page(request, db, person, token=t, invitation=invitation)

    @post("/", name="power_accept")
    async def accept(self, request: Request, db: DB, data: Annotated[dict[str, Any], FORM]) -> Response:
        person = signed_in_person(request)
        # Before anything is looked up: a guesser is stopped per person and per client address.
        await enforce(request, "power_code", account=rate_account(person), conn=db)
        code, token = str(data.get("code", ""))[:40], str(data.get("token", ""))[:100]
        try:
            invitation = await service.accept(db, request.app.state.settings.secret_key, person, code=code,
                                              token=token)
        except PowerRefused as refused:
            return await self._accept_page(request, db, person, error=refused.message, code=code,
                                           status_code=refused.status_code)
        return see_other(request, CHOOSE, level="success", message=_(
            "You can now help %(name)s. Choose below whom you act for.") % {"name": invitation["citizen_name"]})

    @get("/vaelg", name="power_choose_form")
    async def choose_form(self, request: Request, db: DB, next: FromQuery[str] = "/") -> Response:
        """"Mig selv" or one of the people the person helps."""
        person = signed_in_person(request)
        powers = await queries.select_powers_of_person(db, person.person_id) if person.person_id else []
        viewer = request.scope["state"].get("viewer")
        return render(request, "powers/choose.html", {
            "powers": powers, "person": person, "scope_labels": scope_labels(),
            "acting_for": viewer.citizen_id if viewer is not None and viewer.is_helper else None,
        })

    @post("/vaelg", name="power_choose")
    async def choose(self, request: Request, db: DB, data: Annotated[dict[str, Any], FORM]) -> Response:
        person = signed_in_person(request)
        raw = str(data.get("power", ""))
        power_id = None if raw == "self" else ascii_int(raw, 1)
        if raw != "self" and power_id is None:
            return render(request, "error.html", {"title": _("Choose whom you act for"),
                                                  "message": _("Choose a person from the list.")},
                          status_code=422, block=None)
        try:
            name = await service.act_for(db, person, power_id)
        except PowerRefused as refused:
            return render(request, "error.html", {"title": _("Access denied"), "message": refused.message},
                          status_code=refused.status_code, block=None)
        if name is None:
            return see_other(request, "/" if person.citizen_id is not None else WELCOME)
        return see_other(request, "/", level="info", message=_("You now act for %(name)s.") % {"name": name})
