"""Dependencies and guards shared by the controllers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncGenerator
from zoneinfo import ZoneInfo

import asyncpg
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from backend.auth.models import Viewer
from backend.db.pool import discard_if_broken
from backend.metrics import POOL_WAIT_SECONDS

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

DB = NamedDependency[asyncpg.Connection]
"""A handler parameter ``db: DB`` receives the request's pooled connection (see provide_db)."""


def local_today() -> dt.date:
    """Today's date in Denmark (grant periods and deliveries are counted in Danish days)."""
    return dt.datetime.now(COPENHAGEN).date()


async def provide_db(request: ASGIConnection, state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """The request's pooled connection (the one the request context already holds, else a new one).

    litestar throws the handler's exception in here: a connection the database dropped is closed
    then, not put back into the pool for the next request."""
    held = request.scope.get("state", {}).get("db")
    if held is not None:
        try:
            yield held
        except BaseException as exc:
            discard_if_broken(held, exc)
            raise
        return
    waiting = time.perf_counter()
    async with state.pool.acquire() as conn:
        POOL_WAIT_SECONDS.observe(time.perf_counter() - waiting)
        try:
            yield conn
        except BaseException as exc:
            discard_if_broken(conn, exc)
            raise


def provide_viewer(request: ASGIConnection, db: DB) -> Viewer:  # noqa: ARG001
    """The signed-in citizen. ``db`` is not used: naming it makes litestar resolve this after the
    connection instead of beside it, where two dependencies cost a task group (three event-loop
    tasks) on every request. The connection is the one the request context already holds."""
    viewer = request.scope.get("state", {}).get("viewer")
    if viewer is None:
        raise NotAuthorizedException()
    return viewer
