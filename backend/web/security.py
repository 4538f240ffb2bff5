"""Security headers on every response (including errors and static files)."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.types import Message, Scope

from backend.web import inline_styles

# No 'unsafe-inline' / 'unsafe-eval': templates contain no inline scripts or handlers, and the one
# inline stylesheet is allowed by its hash (content_security_policy).
_CSP_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_PARTS)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


_RAW_SECURITY_HEADERS = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
# Served over https (directly, or behind a TLS proxy: FSC_COOKIE_SECURE=1), browsers are told to
# use https only for a year, so a first http request on a hostile network cannot be downgraded.
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def content_security_policy(login_urls: tuple[str, ...] = ()) -> str:
    """The policy for an app whose logout form redirects to these OpenID providers: a form's
    redirect must be allowed by ``form-action`` too (Chromium checks every hop), so the providers'
    origins join 'self' there. ``style-src`` allows the inlined stylesheets by their hash
    (backend.web.inline_styles), and no other inline style."""
    origins = sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, login_urls) if p.scheme and p.netloc})
    parts = []
    for part in _CSP_PARTS:
        if part == "form-action 'self'" and origins:
            part = " ".join([part, *origins])
        elif part == "style-src 'self'" and inline_styles.csp_source():
            part = f"{part} {inline_styles.csp_source()}"
        parts.append(part)
    return "; ".join(parts)


def security_headers_for(login_urls: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """The document headers of an app (its Content-Security-Policy: content_security_policy)."""
    policy = content_security_policy(login_urls).encode()
    return [(name, policy if name == b"content-security-policy" else value) for name, value in _RAW_SECURITY_HEADERS]


# Fonts, stylesheets, scripts and images are not documents: the page's own headers govern them
# (CSP, framing, referrer, permissions, opener). nosniff still matters for them. Each of the 8
# static files of a first visit was ~470 bytes of headers lighter (DESIGN §5 byte budget). SVG
# keeps them all: opened on its own, an SVG is a document.
_RAW_STATIC_HEADERS = [(b"x-content-type-options", b"nosniff")]


def _document_headers_needed(message: Message, scope: Scope) -> bool:
    return (not scope.get("path", "").startswith("/static/") or message.get("status", 200) >= 400
            or scope["path"].endswith(".svg"))


def _over_https(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    app = scope.get("litestar_app")
    return bool(app is not None and app.state.settings.cookie_secure)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """litestar ``before_send`` hook: adds each header the response does not set itself."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", ()))
        present = {bytes(name).lower() for name, _value in headers}
        if _document_headers_needed(message, scope):
            app = scope.get("litestar_app")
            wanted = app.state.get("security_headers", _RAW_SECURITY_HEADERS) if app else _RAW_SECURITY_HEADERS
        else:
            wanted = _RAW_STATIC_HEADERS
        headers.extend(item for item in wanted if item[0] not in present)
        if _over_https(scope) and _HSTS[0] not in present:
            headers.append(_HSTS)
        message["headers"] = headers
