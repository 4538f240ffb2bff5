"""Checking a request against a rate limit: ``enforce`` (in a handler) and ``limited`` (a guard).

A request over a limit raises ``RateLimited`` (HTTP 429 with Retry-After; the page or short body
is made in backend/web/errors.py) before the handler has written anything. The counters live in
PostgreSQL, so every web process counts against the same limit.
"""

from __future__ import annotations

from functools import lru_cache

import asyncpg
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler

from backend.ratelimit import queries
from backend.ratelimit.rules import RuleLimits, client_address, client_key, parse_networks, parse_rule, retry_after_s
from backend.settings import Settings


class RateLimited(HTTPException):
    """Too many requests: 429, the client may try again after ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(detail="rate limited", headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


@lru_cache(maxsize=64)
def _rule(text: str) -> RuleLimits:
    return parse_rule(text)


@lru_cache(maxsize=8)
def _networks(text: str):
    return parse_networks(text)


def rule_limits(settings: Settings, rule: str) -> RuleLimits:
    return _rule(getattr(settings, f"rate_limit_{rule}"))


def client_of(connection: ASGIConnection, settings: Settings) -> str:
    """The client's key: its address (behind FSC_TRUSTED_PROXIES, from X-Forwarded-For)."""
    peer = connection.scope.get("client")
    forwarded = connection.headers.getall("x-forwarded-for", []) if settings.trusted_proxies else []
    return client_key(client_address(peer[0] if peer else None, forwarded, _networks(settings.trusted_proxies)))


def signed_in_account(connection: ASGIConnection) -> str | None:
    """The account of the request's session: the citizen, else the staff member, else a MitID
    person without a citizen record."""
    state = connection.scope.get("state", {})
    if (viewer := state.get("viewer")) is not None:  # a helper counts as themself, not as the citizen
        return f"person:{viewer.actor_id}" if viewer.is_helper else f"citizen:{viewer.citizen_id}"
    if (staff := state.get("staff")) is not None:
        return f"staff:{staff.staff_id}"
    if (person := state.get("person")) is not None and person.person_id is not None:
        return f"person:{person.person_id}"
    return None


def numeric_account(kind: str, raw_id: str) -> str | None:
    """``"citizen:42"`` for a form's id field, when it is a plain number (so "042" counts as 42)."""
    if raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18:
        return f"{kind}:{int(raw_id)}"
    return None


async def enforce(connection: ASGIConnection, rule: str, *, account: str | None = None, client: bool = True,
                  conn: asyncpg.Connection | None = None) -> None:
    """Count this request against ``rule`` per client (unless ``client=False``) and per ``account``
    (``"citizen:42"``, ``"staff:7"``, ``"partner:warehouse"``) in one statement; raise RateLimited
    when either is over. Call it outside a transaction that may roll back, before any write.
    ``conn``: the connection to use; else the request's own, else one from the pool."""
    settings: Settings = connection.app.state.settings
    limits = rule_limits(settings, rule)
    wanted: dict[str, int] = {}
    windows: dict[str, int] = {}
    if client and limits.client is not None:
        key = f"{rule}:client:{client_of(connection, settings)}"
        wanted[key], windows[key] = limits.client.count, limits.client.window_s
    if account is not None and limits.account is not None:
        key = f"{rule}:{account}"
        wanted[key], windows[key] = limits.account.count, limits.account.window_s
    if not wanted:
        return
    keys = sorted(wanted)
    conn = conn or connection.scope.get("state", {}).get("db")
    if conn is not None:
        rows = await queries.hit(conn, keys, [windows[k] for k in keys])
    else:
        async with connection.app.state.pool.acquire() as pooled:
            rows = await queries.hit(pooled, keys, [windows[k] for k in keys])
    over = [row["seconds_left"] for row in rows if row["hits"] > wanted[row["key"]]]
    if over:
        raise RateLimited(retry_after_s(max(over)))


def limited(rule: str, *, account: bool = True):
    """A guard: count the request per client and (unless ``account=False``) per signed-in account
    before the handler runs, before its body is even read."""

    async def rate_limit_guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        await enforce(connection, rule, account=signed_in_account(connection) if account else None)

    rate_limit_guard.__name__ = f"rate_limit_{rule}"
    return rate_limit_guard
