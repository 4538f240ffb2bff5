"""One log line and the metrics for every request, and the request id a citizen can quote to FSC.

Wraps the whole app (outside litestar's routing, so a 404 is counted too). The id is the client's
``X-Request-ID`` when that is a short safe token (a load balancer's id ties its log to ours), else a
new random one; it goes back in the ``X-Request-ID`` response header, onto every log line written
while the request runs (backend.logs.REQUEST_ID) and onto the error pages.

Kept cheap, the home page is benchmarked: one header scan, one random token, one log record and
one histogram observation per request."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.logs import REQUEST_ID

log = logging.getLogger("fsc.request")
HEADER = b"x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_PROBES = frozenset({"/healthz", "/readyz"})  # a load balancer asks every few seconds: not logged

Observer = Callable[[str, str, int, float], None]
"""``observe(method, route, status, seconds)``: the metrics' hook (backend.metrics)."""


def incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            text = value.decode("latin-1")
            return text if text.isascii() and _SAFE_ID.fullmatch(text) else None
    return None


def actor_of(state: dict) -> tuple[str | None, int | None]:
    """Who made the request, by kind and id only: a citizen, or a helper acting for one ("relative",
    their person id: ``viewer.actor``); FSC staff or a caseworker ("staff"); an authority's system by
    its API key's id ("api_key", never the key); a signed-in person without a citizen record."""
    if (viewer := state.get("viewer")) is not None:
        return viewer.actor
    if (staff := state.get("staff")) is not None:
        return "staff", staff.staff_id
    if (api_client := state.get("api_client")) is not None:  # set by the "api" access check
        return "api_key", api_client.key_id
    if (person := state.get("person")) is not None:
        return "person", person.person_id
    return None, None


class RequestLog:
    def __init__(self, app: ASGIApp, observe: Observer | None = None) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_id(scope) or secrets.token_hex(6)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        raw_id = request_id.encode()
        status = 500  # what the client gets when the app fails before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, raw_id)]
            await send(message)

        reset = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or "(no route)"
            if self.observe is not None:
                self.observe(scope["method"], route, status, seconds)
            if scope["path"] not in _PROBES and log.isEnabledFor(logging.INFO):
                kind, actor_id = actor_of(state)
                # makeRecord + handle: log.info would also walk the stack for the caller (half the cost).
                log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, "request", None, None, extra={
                    "method": scope["method"], "route": route, "status": status,
                    "duration_ms": round(seconds * 1000, 2), "actor_kind": kind, "actor_id": actor_id}))
            REQUEST_ID.reset(reset)
