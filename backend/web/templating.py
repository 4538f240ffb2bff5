"""Jinja rendering: one template serves the full page and, for htmx requests, a named block.

Static asset URLs carry a content hash (``?v=…``) so they can be cached for a year.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block
from litestar import Request, Response
from litestar.response import Redirect
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from backend import i18n

PWA_DIR = Path(__file__).resolve().parent.parent.parent / "pwa"
TEMPLATES_DIR = PWA_DIR / "templates"
STATIC_DIR = PWA_DIR / "static"


@cache
def asset_url(path: str) -> str:
    """URL of a file under pwa/static with a content hash, e.g. /static/css/app.css?v=1a2b3c4d5e."""
    file = STATIC_DIR / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        asset=asset_url,
        format_date=i18n.format_date,
        format_datetime=i18n.format_datetime,
        format_time=i18n.format_time,
        format_day=i18n.format_day,
        format_number=i18n.format_number,
        format_money=i18n.format_money,
        language_name=i18n.language_name,
        LANGUAGES=i18n.LANGUAGES,
    )
    return env


environment = _build_environment()


def base_context(request: Request) -> dict[str, Any]:
    """Values every page needs: language, CSRF token, the signed-in person, the current path."""
    state = request.scope.get("state", {})
    return {
        "lang": i18n.current_language.get(),
        "csrf_token": value_or_default(ScopeState.from_scope(request.scope).csrf_token, ""),
        "viewer": state.get("viewer"),
        "staff": state.get("staff"),
        "path": request.url.path,
        "query": request.url.query,
        "demo_login": request.app.state.settings.demo_login,
    }


def is_fragment_request(request: Request) -> bool:
    """An htmx request that wants a piece of a page (boosted navigation wants the whole page)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-boosted") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = "content",
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """Render ``template``; for htmx fragment requests only ``block`` (when given)."""
    values = base_context(request)
    if context:
        values.update(context)
    if block and is_fragment_request(request):
        body = render_block(environment, template, block, **values)
    else:
        body = environment.get_template(template).render(**values)
    # Pages carry personal health data: never stored by browsers or proxies.
    response_headers = {"Vary": "HX-Request, Cookie", "Cache-Control": "no-store"}
    if headers:
        response_headers.update(headers)
    return Response(
        body,
        status_code=status_code,
        media_type="text/html",
        headers=response_headers,
    )


def see_other(request: Request, url: str) -> Response:
    """After a successful POST: a 303 redirect, or for htmx an HX-Location so that htmx loads the
    page like a boosted link (whole page into <body>) and puts its URL in the address bar (a plain
    redirect would leave the old URL there)."""
    if request.headers.get("hx-request") == "true":
        location = json.dumps({"path": url, "target": "body", "headers": {"HX-Boosted": "true"}})
        return Response("", status_code=200, headers={"HX-Location": location, "Cache-Control": "no-store"})
    return Redirect(url, status_code=303)
