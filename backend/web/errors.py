"""Friendly, translated error pages (and a redirect to the login page when signed out).

While the database is away (a restart, a fail-over) every page answers 503 with ``Retry-After``
instead of the generic 500, and works again by itself once the pool reconnects."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from backend import i18n
from backend.db.pool import database_unavailable, short_reason
from backend.i18n import gettext as _
from backend.i18n import ngettext
from backend.intake.problems import ApiProblem, problem_response
from backend.ratelimit.limiter import RateLimited
from backend.web.access import HelperRefused
from backend.web.context import language_for, read_cookies
from backend.web.input import loggable
from backend.web.input_limits import BadInput
from backend.web.templating import render

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
"""What a 503 asks clients (the warehouse partner, the offline outbox) to wait: a restart takes seconds."""


def _messages(status: int) -> tuple[str, str]:
    if status == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        return _("The form is too large"), _("The form is too large. Shorten the text and try again.")
    if status == HTTP_404_NOT_FOUND:
        return _("Page not found"), _("We could not find the page you asked for. Check the address, or go to the front page.")
    if status == HTTP_403_FORBIDDEN:
        return _("Access denied"), _("You do not have access to this page, or the form had expired. Go back, reload the page and try again.")
    if status == HTTP_405_METHOD_NOT_ALLOWED:
        return _("Page not found"), _("We could not find the page you asked for. Check the address, or go to the front page.")
    if status < 500:
        return _("Something was wrong with the request"), _("Please go back and try again.")
    if status == HTTP_503_SERVICE_UNAVAILABLE:
        return _("The service is briefly unavailable"), _(
            "We cannot reach our records right now. Please try again in a minute. "
            "If you had just sent an order, look under My orders before you order again.")
    return _("Something went wrong on our side"), _("Please try again in a moment. If it keeps happening, call Fælles Service Center.")


@contextmanager
def _page_language(request: Request) -> Iterator[None]:
    """The language of the person asking (an error may come before the request context set it)."""
    viewer = request.scope.setdefault("state", {}).setdefault("viewer", None)
    token = i18n.current_language.set(language_for(request.scope, read_cookies(request.scope), viewer,
                                                   request.app.state.settings.default_language))
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def _reference(request: Request) -> dict[str, str | None]:
    """The request id (backend.web.request_log), shown so a citizen can quote it to FSC."""
    return {"request_id": request.scope.get("state", {}).get("request_id")}


def _wait_message(retry_after: int) -> str:
    if retry_after <= 60:
        return _("You have tried many times in a short while. Please wait a minute and try again.")
    minutes = -(-retry_after // 60)
    return ngettext("You have tried many times in a short while. Please wait %(num)d minute and try again.",
                    "You have tried many times in a short while. Please wait %(num)d minutes and try again.",
                    minutes) % {"num": minutes}


def _wants_json(request: Request) -> bool:
    """A script's request (push subscriptions, the service worker): a short JSON body, not a page."""
    return request.headers.get("content-type", "").startswith("application/json") or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", ""))


def rate_limited(request: Request, exc: RateLimited) -> Response:
    """429 with Retry-After: a translated page; for htmx a short text (a background check leaves the
    screen as it is), for scripts ``{"detail": …}``, for /api/ a problem document."""
    with _page_language(request):
        title, message = _("Too many attempts"), _wait_message(exc.retry_after)
        headers = _unavailable_headers(request, exc.retry_after) | {"Cache-Control": "no-store"}
        if request.url.path.startswith("/api/"):
            return Response({"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": f"rate limit reached; retry after {exc.retry_after} s"},
                            status_code=429, media_type="application/problem+json", headers=headers)
        if _wants_json(request):
            return Response({"detail": message}, status_code=429, headers=headers)
        if request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true":
            return Response(message, status_code=429, media_type="text/plain", headers=headers)
        return render(request, "error.html", {"title": title, "message": message, **_reference(request)},
                      status_code=429, block=None, headers=headers)


def _unavailable_headers(request: Request, retry_after: int = RETRY_AFTER_S) -> dict[str, str]:
    """Retry-After, and for htmx: a link or form (boosted) shows the page in place of the body and
    leaves the address bar alone (it may be a POST-only URL); a background request (polling)
    leaves the screen as it is and simply tries again on its next turn."""
    headers = {"Retry-After": str(retry_after)}
    if request.headers.get("hx-request") == "true":
        if request.headers.get("hx-boosted") == "true":
            headers |= {"HX-Retarget": "body", "HX-Reswap": "innerHTML", "HX-Push-Url": "false"}
        else:
            headers["HX-Reswap"] = "none"
    return headers


def _error_page(request: Request, status: int, message: str | None = None) -> Response:
    with _page_language(request):
        title, default_message = _messages(status)
        message = _(message) if message else default_message  # a BadInput's msgid, translated here
        headers = _unavailable_headers(request) if status == HTTP_503_SERVICE_UNAVAILABLE else None
        if request.url.path.startswith("/api/"):
            return Response({"title": title, "detail": message, "status": status}, status_code=status,
                            media_type="application/problem+json", headers=headers)
        return render(request, "error.html", {"title": title, "message": message, **_reference(request)},
                      status_code=status, block=None, headers=headers)


def login_redirect(request: Request, _exc: NotAuthorizedException) -> Response:
    """Signed out (or session expired): send the person to the login page, then back here."""
    target = "/fsc/login" if request.url.path.startswith("/fsc") else "/login"
    if target == "/login" and request.scope.get("state", {}).get("person") is not None:
        target = "/welcome"  # signed in with MitID but not a citizen here: the kind page, not the login again
    elif request.method == "GET" and request.url.path not in ("/", "/fsc", "/fsc/"):
        # The query too for an invitation link (/fuldmagt?t=…): it is the whole point of the link.
        wanted = request.url.path + ("?" + request.url.query if request.url.path.startswith("/fuldmagt")
                                     and request.url.query else "")
        target += "?next=" + quote(wanted, safe="/")
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, loggable(request.url.path), loggable(str(exc.detail)))
    message = exc.message if isinstance(exc, BadInput) else None
    return _error_page(request, status if status >= 400 else HTTP_400_BAD_REQUEST, message)


def unexpected_error(request: Request, exc: Exception) -> Response:
    if database_unavailable(exc):  # one line per request, not a traceback: the cause is known
        log.warning("database unavailable on %s %s: %s", request.method, loggable(request.url.path), short_reason(exc))
        return _error_page(request, HTTP_503_SERVICE_UNAVAILABLE)
    log.exception("unhandled error on %s %s", request.method, loggable(request.url.path), exc_info=exc)
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


def helper_refused(request: Request, exc: HelperRefused) -> Response:
    """403 for a helper: what the power does not allow (or that it has ended), and the way on."""
    with _page_language(request):
        if exc.ended:
            title = _("Your power of attorney has ended")
            message = _("The person you helped has revoked your power of attorney, or it has expired. "
                        "You can no longer see or do anything for them.")
        else:
            title = _("Your power of attorney does not cover this")
            message = _("The person you help has not given you permission to do this. Ask them to change "
                        "what you may do under Mine hjælpere.")
        return render(request, "powers/refused.html", {"title": title, "message": message, "ended": exc.ended},
                      status_code=HTTP_403_FORBIDDEN, block=None)


exception_handlers = {
    ApiProblem: problem_response,  # the grant intake API's RFC 9457 problems (also from its access check)
    RateLimited: rate_limited,
    HelperRefused: helper_refused,
    NotAuthorizedException: login_redirect,
    HTTPException: http_error,
    Exception: unexpected_error,
}
