"""Citizen login with MitID (OpenID Connect through NemLog-in or a broker), and the welcome page for a
person who has no grants here yet."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Redirect

from backend.auth import oidc_flow, queries
from backend.auth.oidc import LoginFailed
from backend.auth.routes import safe_next
from backend.auth.sessions import SESSION_COOKIE, start_citizen_session
from backend.ratelimit.limiter import enforce, limited
from backend.citizens.cpr import cpr_hash
from backend.settings import Settings
from backend.web.deps import DB
from backend.web.templating import render

LOA_RANK = {"low": 1, "substantial": 2, "high": 3}
"""NSIS assurance levels, lowest first."""

WELCOME = "/welcome"


def assurance_level(claims: dict[str, Any], claim: str) -> str | None:
    """The NSIS level named by the claim: "Substantial", or a URI ending in it (NemLog-in's form)."""
    value = claims.get(claim)
    if not isinstance(value, str):
        return None
    level = value.rstrip("/").rsplit("/", 1)[-1].lower()
    return level if level in LOA_RANK else None


def person_from_claims(settings: Settings, claims: dict[str, Any]) -> tuple[bytes, str, str]:
    """(CPR hash, name, assurance level) from verified claims; refuses a login below the minimum level."""
    level = assurance_level(claims, settings.oidc_loa_claim)
    if level is None or LOA_RANK[level] < LOA_RANK[settings.oidc_min_loa]:
        raise LoginFailed("loa_too_low", f"level {claims.get(settings.oidc_loa_claim)!r}")
    cpr = claims.get(settings.oidc_cpr_claim)
    try:
        hashed = cpr_hash(settings.cpr_key, cpr if isinstance(cpr, str) else "")
    except ValueError:
        raise LoginFailed("bad_token", "no CPR number in the claims") from None
    name = claims.get(settings.oidc_name_claim) or claims.get("name") or ""
    return hashed, str(name)[:200], level


class CitizenOidcController(Controller):
    @get("/login/oidc", name="oidc_login", opt={"access": "public"})
    async def start(self, request: Request, next: FromQuery[str] = "/", remember: FromQuery[str] = "") -> Response:
        return await oidc_flow.start(request, oidc_flow.CITIZEN, safe_next(next), remember == "1")

    @get("/login/oidc/callback", name="oidc_callback", opt={"access": "public"},
         guards=[limited("login", account=False)])
    async def callback(self, request: Request, db: DB) -> Response:
        provider = oidc_flow.provider_for(request, oidc_flow.CITIZEN)
        settings: Settings = request.app.state.settings
        try:
            claims, pending = await oidc_flow.finish(request, provider, oidc_flow.CITIZEN)
            next_path, remember = pending.next, pending.remember
            hashed_cpr, name, level = person_from_claims(settings, claims)
        except LoginFailed as failure:
            return oidc_flow.problem_page(request, oidc_flow.CITIZEN, failure)
        # Per person as well as per client (the guard): one person cannot be signed in over and over.
        await enforce(request, "login", client=False, account="person:" + hashed_cpr.hex()[:32], conn=db)
        async with db.transaction():
            person_id = await queries.upsert_person(db, hashed_cpr, name)
            citizen_id = await queries.select_citizen_by_cpr_hash(db, hashed_cpr)
            cookie = await start_citizen_session(db, settings, citizen_id, request.cookies.get(SESSION_COOKIE),
                                                 remember=remember, method="oidc", person_id=person_id,
                                                 detail={"loa": level, "person_id": person_id})
            has_powers = await queries.person_has_powers(db, person_id)
        # A helper first chooses whom to act for ("mig selv" or the person they help).
        # An invitation link (/fuldmagt?t=…) opened before login comes first.
        if next_path.startswith("/fuldmagt"):
            target = next_path
        else:
            target = "/fuldmagt/vaelg" if has_powers else next_path if citizen_id else WELCOME
        response = Redirect(target, status_code=303, cookies=[cookie])
        response.set_cookie(oidc_flow.clear_pending(request, oidc_flow.CITIZEN))
        return response

    @get(WELCOME, name="welcome", opt={"access": "person"})
    async def welcome(self, request: Request) -> Response:
        """A kind page for a person who logged in with MitID but has no grants here (yet)."""
        person = request.scope["state"].get("person")
        if person is None:
            raise NotAuthorizedException()
        if person.citizen_id is not None:
            return Redirect("/", status_code=303)
        return render(request, "welcome.html", {"person": person,
                                                "phone": request.app.state.settings.service_phone})
