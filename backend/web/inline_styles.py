"""The stylesheets inlined into a browser's full page load, so the first paint waits for no request.

A linked stylesheet blocks rendering for a round trip after the page has arrived: on a phone on a
slow network (Lighthouse's mobile profile: 150 ms round trips, 1.6 Mbit/s) the first visit painted
after 1.3-1.5 s, of which ~0.7 s were the two stylesheets. Inlined, the page paints as soon as it
is parsed. Only top-level page loads by a browser get them (`Sec-Fetch-Dest: document`, not htmx):
a boosted htmx navigation swaps the body and keeps the head it has, and clients that render
nothing (the service worker's precache of the offline pages, scripts, load generators) get the
linked, cached files, and no page pays for the larger body when it is not painted by a browser.
The files stay the source (staff pages and the offline pages link them; the service worker
precaches them).

The Content-Security-Policy allows exactly this <style> content by its SHA-256 hash (no
'unsafe-inline'): backend.web.security.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from functools import cache

from litestar import Request

from backend.settings import REPO_ROOT

STATIC_DIR = REPO_ROOT / "pwa" / "static"

STYLESHEETS = ("vendor/dkfds/css/dkfds-borgerdk.min.css", "css/app.css")
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _absolute_urls(css: str, directory: str) -> str:
    """url(../img/x.svg) in /static/vendor/dkfds/css/ -> url(/static/vendor/dkfds/img/x.svg):
    inlined, a relative URL would resolve against the page."""
    def absolute(match: re.Match) -> str:
        quote, url = match.groups()
        if url.startswith(("data:", "/", "http:", "https:", "#")):
            return match.group(0)
        return f"url({quote}{posixpath.normpath(posixpath.join(directory, url))}{quote})"
    return _URL.sub(absolute, css)


@cache
def inline_css() -> str:
    """Both stylesheets, comments and indentation removed, URLs made absolute ("" before
    `fsc build-assets` has made DKFDS's stylesheet: then pages link the files)."""
    parts = []
    for path in STYLESHEETS:
        file = STATIC_DIR / path
        if not file.is_file():
            return ""
        css = _COMMENT.sub("", file.read_text(encoding="utf-8"))
        css = "\n".join(line.strip() for line in css.splitlines() if line.strip())
        parts.append(_absolute_urls(css, "/static/" + posixpath.dirname(path)))
    return "\n".join(parts)


@cache
def csp_source() -> str:
    """The CSP source that allows the inlined <style> ("" when there is nothing to inline)."""
    css = inline_css()
    if not css:
        return ""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def wanted(request: Request) -> bool:
    """A browser loading a whole page to show it (not htmx, not a script, not the service worker)."""
    headers = request.headers
    return headers.get("sec-fetch-dest") == "document" and headers.get("hx-request") != "true" and bool(inline_css())
