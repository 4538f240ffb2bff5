"""The benchmark's yardstick: a bare litestar + asyncpg ``SELECT 1`` endpoint.

Served by the same server (granian, same number of workers) as the app, so the ratio of the
app's requests/s to this one's says how much our own code costs.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Response, get


def create_baseline() -> Litestar:
    dsn = os.environ["FSC_DATABASE_URL"]

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        try:
            yield
        finally:
            await app.state.pool.close()

    @get("/")
    async def select_one() -> Response:
        async with app.state.pool.acquire() as conn:
            value = await conn.fetchval("SELECT 1")
        return Response(f"{value}", media_type="text/plain")

    app = Litestar(route_handlers=[select_one], lifespan=[lifespan])
    return app
