"""Jinja rendering: one template serves the full page and, for htmx requests, a named block.

Static asset URLs carry a content hash (``?v=…``) so they can be cached for a year.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2_fragments import render_block
from litestar import Request, Response
from litestar.response import Redirect
from markupsafe import Markup

from backend import i18n
from backend.catalog import labels
from backend.web import flash, inline_styles

PWA_DIR = Path(__file__).resolve().parent.parent.parent / "pwa"
TEMPLATES_DIR = PWA_DIR / "templates"
STATIC_DIR = PWA_DIR / "static"


@cache
def asset_url(path: str) -> str:
    """URL of a file under pwa/static with a content hash, e.g. /static/css/app.css?v=1a2b3c4d5e."""
    file = STATIC_DIR / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


class ConstantTranslations(Extension):
    """Translates ``_("literal")`` while a template is compiled, so the page's fixed texts are plain
    template text at render time (no call per text per request). Each language has its own
    environment; the language is ``environment.language``. Calls with values, such as
    ``_("%(count)s packs", count=n)``, and ``ngettext`` stay calls (``_translators``)."""

    def filter_stream(self, stream: TokenStream) -> list[Token]:
        tokens = list(stream)
        catalog = i18n.translations(self.environment.language)  # type: ignore[attr-defined]
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            window = tokens[i:i + 4]
            if (
                token.type == "name" and token.value == "_" and len(window) == 4
                and [t.type for t in window[1:]] == ["lparen", "string", "rparen"]
                and not (out and out[-1].type == "dot")
            ):
                # Same result as the runtime call: gettext, then "%" with no values ("%%" -> "%").
                out.append(Token(token.lineno, "string", catalog.gettext(window[2].value) % {}))
                i += 4
                continue
            out.append(token)
            i += 1
        return out


def _translators(language: str) -> dict[str, Any]:
    """Plain (not context-passing) gettext callables bound to one language, with the semantics of
    Jinja's "newstyle" gettext: the translation is trusted markup, the values are escaped, and
    ngettext offers ``num``."""
    catalog = i18n.translations(language)

    def gettext(message: str, **values: Any) -> Markup:
        return Markup(catalog.gettext(message)) % values

    def ngettext(singular: str, plural: str, num: int, **values: Any) -> Markup:
        values.setdefault("num", num)
        return Markup(catalog.ngettext(singular, plural, num)) % values

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def _build_environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        undefined=StrictUndefined,
        extensions=[ConstantTranslations],
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
        # Templates ship with the code: no file system check on every render, and every template
        # stays loaded (a plain dict: every include on every page looked it up in an LRU cache
        # under a lock; compile_all_templates loads them all at start).
        auto_reload=False,
        cache_size=-1,
    )
    env.language = language  # type: ignore[attr-defined]
    env.globals.update(
        _translators(language),
        asset=asset_url,
        format_date=i18n.format_date,
        format_datetime=i18n.format_datetime,
        format_time=i18n.format_time,
        format_day=i18n.format_day,
        format_number=i18n.format_number,
        format_money=i18n.format_money,
        language_name=i18n.language_name,
        unit_label=labels.unit_label,
        quantity=labels.quantity,
        LANGUAGES=i18n.LANGUAGES,
    )
    return env


environments = {language: _build_environment(language) for language in i18n.LANGUAGES}


def compile_all_templates() -> None:
    """Compile every page template of every language now (once per process; later calls cost
    nothing). A web process does this before it takes requests: compiling on first use (about a
    second for all, 0.1-0.3 s for a page and its partials) blocked the event loop of a fresh
    process under load, and every request queued behind it (issue 17's stalls, docs/decisions.md)."""
    for environment in environments.values():
        for name in environment.list_templates(filter_func=lambda name: not name.startswith(".")):
            environment.get_template(name)


def outbox_owner(secret_key: str, citizen_id: int, helper_person_id: int | None = None) -> str:
    """An opaque name for the signed-in citizen, for the service worker's order outbox: an order
    kept on a shared phone is sent only while the same person is signed in (pwa/static/sw/outbox.js).
    A helper acting for the citizen is another owner: their kept order goes only while they act for them."""
    name = b"outbox:%d" % citizen_id + (b":helper:%d" % helper_person_id if helper_person_id is not None else b"")
    return hmac.new(secret_key.encode(), name, hashlib.sha256).hexdigest()[:16]


def base_context(request: Request) -> dict[str, Any]:
    """Values every page needs: language, CSRF token, the signed-in person, the current path."""
    state = request.scope.get("state", {})
    viewer = state.get("viewer")
    settings = request.app.state.settings
    return {
        "lang": i18n.current_language.get(),
        "csrf_token": state.get("csrf_token", ""),
        "viewer": viewer,
        # "" when signed out; pages stored by the service worker set None (they know nobody).
        "outbox_owner": outbox_owner(settings.secret_key, viewer.citizen_id, viewer.helper_person_id) if viewer else "",
        "staff": state.get("staff"),
        "person": state.get("person"),  # who is signed in (a helper acting for the viewer, too)
        "path": request.url.path,
        "query": request.url.query,
        "demo_login": settings.demo_login,
        "service_phone": settings.service_phone,
        "service_email": settings.service_email,
        "flash": None,
        # A browser's full page load gets the stylesheets inline (backend.web.inline_styles).
        "inline_css": Markup(inline_styles.inline_css()) if inline_styles.wanted(request) else None,
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
    environment = environments[values["lang"]]
    if context:
        values.update(context)
    cookies = []
    if block and is_fragment_request(request):
        body = render_block(environment, template, block, **values)
    else:
        if (message := flash.read(request)) is not None:  # shown once, on the page a POST redirected to
            values["flash"] = message
            cookies.append(flash.cleared(request))
        body = environment.get_template(template).render(**values)
    # Pages carry personal health data: never stored by browsers or proxies.
    response_headers = {"Vary": "HX-Request, Sec-Fetch-Dest, Cookie", "Cache-Control": "no-store"}
    if headers:
        response_headers.update(headers)
    return Response(
        body,
        status_code=status_code,
        media_type="text/html",
        headers=response_headers,
        cookies=cookies,
    )


def see_other(request: Request, url: str, *, message: str | None = None, level: str = "error") -> Response:
    """After a POST: a 303 redirect, or for htmx an HX-Location so that htmx loads the page like a
    boosted link (whole page into <body>) and puts its URL in the address bar (a plain redirect
    would leave the old URL there). ``message`` is shown once on that page (a refused POST says why
    there instead of leaving the address bar on a POST-only URL)."""
    if request.headers.get("hx-request") == "true":
        location = json.dumps({"path": url, "target": "body", "headers": {"HX-Boosted": "true"}})
        response: Response = Response("", status_code=200,
                                      headers={"HX-Location": location, "Cache-Control": "no-store"})
    else:
        response = Redirect(url, status_code=303)
    if message is not None:
        response.set_cookie(flash.cookie(request, message, level))
    return response
