"""Request bodies are checked before anything parses them (ASGI middleware, outermost).

litestar's CSRF middleware parses a whole form to find its token, even without one: a 5.9 MB form
of 600,000 fields cost ~150 ms of one event loop, and every other page waited. Here the body is
read up to a limit per content type (a Content-Length above it is refused unread), then a form
may have at most ``MAX_FIELDS`` fields and JSON at most ``MAX_JSON_DEPTH`` levels of nesting,
and neither may carry a NUL character (PostgreSQL cannot store one in text). Only then does the
request go on, with the body handed on as read. Refusals are the translated error pages (413,
400; 403 for a CSRF token that cannot be one of ours).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.catalog.labels import N_

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON_TYPES = ("application/json", "application/problem+json")
BODY_LIMITS = {FORM: 64 * 1024, MULTIPART: 64 * 1024, "application/json": 64 * 1024}
DEFAULT_BODY_LIMIT = 64 * 1024
"""Our largest real bodies are order forms and warehouse events, a few KB."""
UPLOAD_LIMITS = {"/fsc/catalogue": 24 * 1024 * 1024}
"""Pages that take files (multipart, supervisors only): a larger body, binary content allowed.
The catalogue: a CSV of at most 5 MB and its product pictures (backend/catalog/)."""
GRANT_IMPORT_PATH = "/fsc/grants/import"
"""File uploads (a grant CSV file): multipart up to the setting ``grant_import_max_bytes`` (plus room
for the form's other fields); a larger Content-Length is refused before a byte is read."""
UPLOAD_OVERHEAD = 64 * 1024
MAX_FIELDS = 300
MAX_JSON_DEPTH = 32
CSRF_COOKIE = "fsc_csrf"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class BadInput(HTTPException):
    """A refused request; ``message`` is a msgid, translated by the error page (the request's
    language is known only there: this middleware runs before the request context)."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, message: str, status_code: int = HTTP_400_BAD_REQUEST) -> None:
        super().__init__(detail=message, status_code=status_code)
        self.message = message


TOO_LARGE = N_("The form is too large. Shorten the text and try again.")
FILE_TOO_LARGE = N_("The file is too large. Split it into smaller files and try again.")
TOO_MANY_FIELDS = N_("The form has too many fields. Reload the page and try again.")
NUL_CHARACTER = N_("The text contains a character we cannot save. Remove it and try again.")
TOO_DEEP = N_("The request is nested too deeply.")
MALFORMED = N_("Please go back and try again.")


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects in a JSON text nest (strings skipped; malformed text is the
    decoder's business: this only has to bound the work it will do)."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name: value for name, value in scope.get("headers", ())}


def _not_ascii(value: bytes | None) -> bool:
    return value is not None and not value.isascii()


def _csrf_cookie(cookie_header: bytes | None) -> bytes | None:
    for piece in (cookie_header or b"").split(b";"):
        name, sep, value = piece.partition(b"=")
        if sep and name.strip() == CSRF_COOKIE.encode():
            return value.strip()
    return None


def check_form(body: bytes) -> None:
    if body.count(b"&") + 1 > MAX_FIELDS:
        raise BadInput(TOO_MANY_FIELDS)
    fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    for name, value in fields:
        if "\x00" in name or "\x00" in value:
            raise BadInput(NUL_CHARACTER)
        if name == "_csrf_token" and not value.isascii():
            raise PermissionDeniedException()


def check_json(body: bytes) -> None:
    if b"\\u0000" in body or b"\x00" in body:
        raise BadInput(NUL_CHARACTER)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:  # msgspec would raise this (not its DecodeError) for a bad string
        raise BadInput(MALFORMED) from None
    if json_depth(body) > MAX_JSON_DEPTH:
        raise BadInput(TOO_DEEP)


class InputLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if _not_ascii(_csrf_cookie(headers.get(b"cookie"))) or _not_ascii(headers.get(b"x-csrftoken")):
            raise PermissionDeniedException()
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
        path = scope["path"].rstrip("/")
        upload_limit = None
        if content_type == MULTIPART:
            upload_limit = (scope["litestar_app"].state.settings.grant_import_max_bytes + UPLOAD_OVERHEAD
                            if path == GRANT_IMPORT_PATH else UPLOAD_LIMITS.get(path))
        upload = upload_limit is not None
        limit = upload_limit or BODY_LIMITS.get(content_type, DEFAULT_BODY_LIMIT)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or len(declared) > 15):
            raise BadInput(MALFORMED)
        too_large = FILE_TOO_LARGE if upload else TOO_LARGE
        if declared is not None and int(declared) > limit:
            raise BadInput(too_large, HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        body = await self._read(receive, limit, too_large)
        if content_type == FORM:
            check_form(body)
        elif content_type == MULTIPART and not upload and b"\x00" in body:  # files: the importers check them
            raise BadInput(NUL_CHARACTER)
        elif content_type in JSON_TYPES or content_type.endswith("+json"):
            check_json(body)
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _read(receive: Receive, limit: int, too_large: str = TOO_LARGE) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                raise BadInput(MALFORMED)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BadInput(too_large, HTTP_413_REQUEST_ENTITY_TOO_LARGE)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # e.g. http.disconnect

    return replay
