"""The two halves of an OIDC login, shared by citizens and staff, and the pages for what can go wrong.

``begin`` sends the browser to the provider with state, nonce and a PKCE challenge (kept in a signed
cookie on this browser); ``finish`` checks the callback against that cookie, exchanges the code and
returns the verified ID token claims. Either raises ``LoginFailed``; ``problem_page`` turns that into
a clear, translated page. Nothing is written to the database until the caller has accepted the claims.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from backend import i18n
from backend.auth import pending_login
from backend.auth.pending_login import PendingLogin
from backend.catalog.labels import N_
from backend.auth.oidc import LoginFailed, OidcProvider, new_http_client, new_pkce_pair
from backend.i18n import gettext as _
from backend.settings import Settings
from backend.web.templating import render

log = logging.getLogger(__name__)


class LoginKind(msgspec.Struct, frozen=True):
    """Where one kind of login lives: its callback, its pending-login cookie and its page layout."""

    purpose: str
    callback_path: str
    cookie_name: str
    cookie_path: str
    layout: str
    login_path: str


CITIZEN = LoginKind("citizen", "/login/oidc/callback", "fsc_oidc", "/login/oidc", "base.html", "/login")
STAFF = LoginKind("staff", "/fsc/login/oidc/callback", "fsc_staff_oidc", "/fsc/login/oidc", "staff/layout.html",
                  "/fsc/login")


class OidcProviders(msgspec.Struct):
    """The configured providers (None: that login is off) and the HTTP client they share."""

    citizen: OidcProvider | None
    staff: OidcProvider | None
    http: Any

    async def close(self) -> None:
        await self.http.aclose()


def _key(path: str) -> bytes | None:
    return Path(path).read_bytes() if path else None


def build_providers(settings: Settings) -> OidcProviders:
    http = new_http_client()
    citizen = staff = None
    if settings.oidc_issuer:
        citizen = OidcProvider(http, issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                               client_secret=settings.oidc_client_secret, scopes=settings.oidc_scopes,
                               client_key_pem=_key(settings.oidc_client_key_file))
    if settings.staff_oidc_issuer:
        staff = OidcProvider(http, issuer=settings.staff_oidc_issuer, client_id=settings.staff_oidc_client_id,
                             client_secret=settings.staff_oidc_client_secret, scopes=settings.staff_oidc_scopes,
                             client_key_pem=_key(settings.staff_oidc_client_key_file))
    return OidcProviders(citizen=citizen, staff=staff, http=http)


def providers(request: Request) -> OidcProviders:
    return request.app.state.oidc


def provider_for(request: Request, kind: LoginKind) -> OidcProvider:
    """The provider of this kind of login; 404 when that login is not configured."""
    provider = getattr(providers(request), kind.purpose)
    if provider is None:
        raise NotFoundException()
    return provider


async def start(request: Request, kind: LoginKind, next_path: str, remember: bool = False) -> Response:
    """The login button: off to the provider, or a page saying why not (e.g. it is down)."""
    provider = provider_for(request, kind)
    try:
        return await begin(request, provider, kind, next_path, remember)
    except LoginFailed as failure:
        return problem_page(request, kind, failure)


def redirect_uri(request: Request, kind: LoginKind) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + kind.callback_path


async def begin(request: Request, provider: OidcProvider, kind: LoginKind, next_path: str,
                remember: bool = False) -> Response:
    settings: Settings = request.app.state.settings
    verifier, challenge = new_pkce_pair()
    pending = pending_login.new_pending(verifier, next_path, remember)
    url = await provider.authorization_url(redirect_uri=redirect_uri(request, kind), state=pending.state,
                                           nonce=pending.nonce, code_challenge=challenge,
                                           ui_locales=i18n.current_language.get())
    value = pending_login.pack(settings, kind.purpose, pending)
    return Redirect(url, status_code=303,
                    cookies=[pending_login.pending_cookie(settings, kind.cookie_name, kind.cookie_path, value)])


async def finish(request: Request, provider: OidcProvider, kind: LoginKind) -> tuple[dict[str, Any], PendingLogin]:
    """(verified ID token claims, the login as it began: where to go next, "remember me") for the
    provider's redirect back to us
    (?code=…&state=… or ?error=…&state=…; "state" cannot be a handler parameter in litestar)."""
    settings: Settings = request.app.state.settings
    query = request.query_params
    code, state, error = (str(query.get(name) or "") for name in ("code", "state", "error"))
    pending = pending_login.unpack(settings, kind.purpose, request.cookies.get(kind.cookie_name))
    if pending is None:
        raise LoginFailed("state", "no valid pending-login cookie")
    if not state or not hmac.compare_digest(state.encode("utf-8", "replace"), pending.state.encode()):
        raise LoginFailed("state", "state does not match")
    if error:
        raise LoginFailed("cancelled", error[:100])
    if not code or len(code) > 2000:
        raise LoginFailed("state", "no code")
    id_token = await provider.exchange_code(code=code, redirect_uri=redirect_uri(request, kind),
                                            code_verifier=pending.verifier)
    claims = await provider.verify_id_token(id_token, nonce=pending.nonce)
    return claims, pending


def clear_pending(request: Request, kind: LoginKind):
    return pending_login.cleared_pending_cookie(request.app.state.settings, kind.cookie_name, kind.cookie_path)


LEVEL_NAMES = {"low": N_("low"), "substantial": N_("substantial"), "high": N_("high")}
"""The NSIS assurance levels as MitID names them to people."""


def _problem_texts(reason: str, phone: str, min_level: str) -> tuple[str, str, int]:
    if reason == "provider_down":
        return (_("Login is not working right now"),
                _("We cannot reach the login service at the moment. Please try again in a few minutes. "
                  "If you need help now, call Fælles Service Center on %(phone)s.") % {"phone": phone}, 503)
    if reason == "loa_too_low":
        return (_("Your login is not secure enough"),
                _("To see and order your products you must log in with MitID at the level \"%(level)s\" "
                  "or higher. Log in again with the MitID app or a MitID code device. "
                  "If you cannot, call Fælles Service Center on %(phone)s.")
                % {"phone": phone, "level": _(LEVEL_NAMES[min_level])}, 403)
    if reason == "no_role":
        return (_("You do not have access to the staff console"),
                _("Your organisation account is not in any of the Fælles Service Center groups. "
                  "Ask your supervisor to add you to the right group, then log in again."), 403)
    if reason == "no_authority":
        return (_("You do not have access to the staff console"),
                _("Your organisation account is in the caseworker group, but it does not say which municipality "
                  "or region you work for. Ask your IT department to add it, then log in again."), 403)
    if reason == "inactive":
        return (_("Your staff account is closed"),
                _("A supervisor has closed your account. Ask your supervisor if you should have access."), 403)
    if reason == "account_conflict":
        return (_("Your staff account could not be set up"),
                _("Another staff account already uses your e-mail address. Ask your supervisor to sort it out."),
                409)
    if reason == "cancelled":
        return (_("The login was cancelled"), _("You did not finish logging in. You can start again."), 400)
    if reason in ("state", "code_refused"):
        return (_("The login could not be finished"),
                _("The login took too long, was started in another window or was already used. "
                  "Please start the login again."), 400)
    return (_("We could not confirm your login"),
            _("The answer from the login service could not be trusted, so you were not logged in. "
              "Please try again. If it keeps happening, call Fælles Service Center on %(phone)s.") % {"phone": phone}, 400)


def problem_page(request: Request, kind: LoginKind, failure: LoginFailed) -> Response:
    """A clear page for a login that did not go through (logged: the reason only, never the claims)."""
    log.warning("%s login refused: %s", kind.purpose, failure)
    settings: Settings = request.app.state.settings
    title, message, status = _problem_texts(failure.reason, settings.service_phone, settings.oidc_min_loa)
    response = render(request, "login_problem.html",
                      {"layout": kind.layout, "title": title, "message": message, "login_path": kind.login_path,
                       "reason": failure.reason, "phone": settings.service_phone},
                      status_code=status, block=None)
    response.set_cookie(clear_pending(request, kind))
    return response
