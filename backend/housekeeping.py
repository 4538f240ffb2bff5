"""Recurring clean-up: expired login sessions (and, per area, other stale rows)."""

from __future__ import annotations

import logging

from backend.auth.queries import delete_expired_sessions

log = logging.getLogger("fsc.worker")


def register(worker) -> None:  # noqa: ANN001 - backend.worker.Worker (import cycle)
    @worker.every("delete_expired_sessions", "*/10 * * * *")
    async def delete_sessions() -> None:
        async with worker.pool.acquire() as conn:
            removed = await delete_expired_sessions(conn)
        if removed:
            log.info("removed %d expired sessions", removed)
