"""Warm a web process up before it takes requests (issue 17's stalls, docs/decisions.md).

A fresh process used to meet its first load cold: every pool connection was opened under load,
and each new PostgreSQL backend then loaded its catalog caches and planned each statement
(PostgreSQL plans a prepared statement afresh for its first five runs) while requests queued
behind it. Here the pool's connections are opened and the statements of the busiest pages (the
session lookup, the home page, the one tap's first read) run on each of them, for nobody: a
session, citizen and key that do not exist, so no one's data is read. The order's write is only
prepared (asyncpg then looks up its parameter types once per connection, three round trips).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import asyncpg

from backend.auth.queries import select_viewer
from backend.casework.views import HOME_SHOWS_ANSWERS_DAYS
from backend.grants.routes import HOME_SQL
from backend.grants.views import load_citizen_grants
from backend.orders.queries import INSERT_ORDER_SQL, select_citizen_for_ordering_and_key
from backend.web.deps import local_today

log = logging.getLogger(__name__)

PLANNED_RUNS = 6  # past PostgreSQL's five custom plans, to its choice of a cached plan
NOBODY = 0        # no citizen has id 0 (ids start at 1)


async def _warm(conn: asyncpg.Connection) -> None:
    today = local_today()
    for _ in range(PLANNED_RUNS):
        await select_viewer(conn, bytes(32))
        await load_citizen_grants(conn, NOBODY, today, sql=HOME_SQL, more_args=(HOME_SHOWS_ANSWERS_DAYS,))  # home
        await load_citizen_grants(conn, NOBODY, today)  # the same read on other pages
        await select_citizen_for_ordering_and_key(conn, NOBODY, uuid.UUID(int=0), today, None)
    await conn.prepare(INSERT_ORDER_SQL)  # the order's write: its types looked up now, not on the first order


async def warm_up(pool: asyncpg.Pool, connections: int) -> None:
    """Open ``connections`` of the pool and warm each (concurrently; each runs its own statements)."""
    held = [await pool.acquire() for _ in range(connections)]
    try:
        await asyncio.gather(*(_warm(conn) for conn in held))
    finally:
        for conn in held:
            await pool.release(conn)
    log.debug("warmed %d database connections", connections)
