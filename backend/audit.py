"""Append-only audit log of who did what to whose data (the table refuses UPDATE and DELETE)."""

from __future__ import annotations

from typing import Any

import asyncpg


async def log_event(
    conn: asyncpg.Connection,
    *,
    actor_kind: str,
    actor_id: int | None,
    citizen_id: int | None,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO audit_log (actor_kind, actor_id, citizen_id, action, detail)
           VALUES ($1, $2, $3, $4, $5)""",
        actor_kind, actor_id, citizen_id, action, detail or {},
    )
