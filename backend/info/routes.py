"""The accessibility statement (/tilgaengelighed) and the privacy page (/privatliv): public,
linked from every page's footer, in the visitor's language."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get

from backend.info.help import help_page
from backend.web.templating import render

STATEMENT_PUBLISHED = dt.date(2026, 11, 29)
"""When the accessibility statement was last reviewed (update it with the statement's text)."""


@get("/tilgaengelighed", name="accessibility_statement", opt={"access": "public"}, include_in_schema=False)
async def accessibility_statement(request: Request) -> Response:
    return render(request, "info/accessibility.html", {"published": STATEMENT_PUBLISHED}, block=None)


@get("/privatliv", name="privacy", opt={"access": "public"}, include_in_schema=False)
async def privacy(request: Request) -> Response:
    return render(request, "info/privacy.html", block=None)


routes = [accessibility_statement, privacy, help_page]
