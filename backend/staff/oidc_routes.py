"""Staff login through the organisation's OpenID Connect provider (e.g. Microsoft Entra ID).

The role comes from a groups/roles claim mapped by configured group names; a member in none of them
is refused. A caseworker also needs an authority claim (an official authority code such as 751)
naming a known authority; without one they are refused, never let in unbound. The account is created at the first login (found again by the provider's subject, or
once by its e-mail address, which binds an existing account such as one made by hand); a closed
account (active = false) is refused.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Redirect

from backend.auth import oidc_flow
from backend.auth.oidc import LoginFailed
from backend.ratelimit.limiter import limited
from backend.settings import Settings
from backend.staff import queries
from backend.staff.auth_routes import HOME, landing, staff_next
from backend.staff.models import ADVISOR, CASEWORKER, SUPERVISOR
from backend.staff.sessions import STAFF_COOKIE, start_staff_session
from backend.web.deps import DB


def _names(setting: str) -> set[str]:
    return {name.strip() for name in setting.split(",") if name.strip()}


def role_from_claims(settings: Settings, claims: dict[str, Any]) -> str:
    """supervisor or advisor from the member's groups; refuses a member in none of the mapped groups."""
    groups = claims.get(settings.staff_oidc_roles_claim)
    groups = {groups} if isinstance(groups, str) else {g for g in groups if isinstance(g, str)} \
        if isinstance(groups, list) else set()
    if groups & _names(settings.staff_oidc_supervisor_groups):
        return SUPERVISOR
    if groups & _names(settings.staff_oidc_advisor_groups):
        return ADVISOR
    if groups & _names(settings.staff_oidc_caseworker_groups):
        return CASEWORKER
    raise LoginFailed("no_role", f"groups {sorted(groups)[:20]!r}")


def authority_code_from_claims(settings: Settings, claims: dict[str, Any]) -> int:
    """A caseworker's authority code from its claim (a number or digits); refused when missing or odd."""
    value = claims.get(settings.staff_oidc_authority_claim)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1_000_000:
        return value
    raise LoginFailed("no_authority", f"authority claim {type(value).__name__}")


def member_from_claims(claims: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, e-mail, name) of a verified staff ID token."""
    subject = str(claims["sub"])
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn") or ""
    if not isinstance(email, str) or "@" not in email:
        raise LoginFailed("bad_token", "no e-mail address in the staff claims")
    name = claims.get("name") if isinstance(claims.get("name"), str) else email
    return subject, email[:200], name[:200]


class StaffOidcController(Controller):
    path = "/fsc"

    @get("/login/oidc", name="staff_oidc_login", opt={"access": "public"})
    async def start(self, request: Request, next: FromQuery[str] = HOME) -> Response:
        return await oidc_flow.start(request, oidc_flow.STAFF, staff_next(next))

    @get("/login/oidc/callback", name="staff_oidc_callback", opt={"access": "public"},
         guards=[limited("login", account=False)])
    async def callback(self, request: Request, db: DB) -> Response:
        provider = oidc_flow.provider_for(request, oidc_flow.STAFF)
        settings: Settings = request.app.state.settings
        try:
            claims, pending = await oidc_flow.finish(request, provider, oidc_flow.STAFF)
            next_path = pending.next
            role = role_from_claims(settings, claims)
            authority_id = None
            if role == CASEWORKER:
                code = authority_code_from_claims(settings, claims)
                authority_id = await queries.select_authority_id(db, code)
                if authority_id is None:
                    raise LoginFailed("no_authority", f"unknown authority code {code}")
            subject, email, name = member_from_claims(claims)
            existing = await queries.select_staff_for_login(db, subject, email)
            if existing is not None and not existing["active"]:
                raise LoginFailed("inactive", f"staff {existing['id']} is closed")
        except LoginFailed as failure:
            return oidc_flow.problem_page(request, oidc_flow.STAFF, failure)
        try:
            async with db.transaction():
                staff_id = await queries.save_staff_login(db, existing["id"] if existing else None,
                                                          subject=subject, email=email, name=name, role=role,
                                                          authority_id=authority_id)
                cookie = await start_staff_session(db, settings, staff_id, request.cookies.get(STAFF_COOKIE),
                                                   method="oidc", detail={"role": role, "created": existing is None,
                                                                          "authority_id": authority_id})
        except asyncpg.UniqueViolationError:  # the e-mail belongs to an account bound to another subject
            return oidc_flow.problem_page(request, oidc_flow.STAFF, LoginFailed("account_conflict", subject))
        if cookie is None:  # closed between the check above and now
            return oidc_flow.problem_page(request, oidc_flow.STAFF, LoginFailed("inactive", f"staff {staff_id}"))
        response = Redirect(landing(role, next_path), status_code=303, cookies=[cookie])
        response.set_cookie(oidc_flow.clear_pending(request, oidc_flow.STAFF))
        return response
