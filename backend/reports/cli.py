"""``fsc reports-rebuild [--from DATE]``: recompute the payer report's aggregates (a full rebuild
after an import of history, or after a change to how a figure is counted)."""

from __future__ import annotations

import datetime as dt

from backend.callbacks.rules import TZ
from backend.db.pool import connect
from backend.reports.aggregate import rebuild


async def rebuild_reports(dsn: str, since: dt.date | None) -> int:
    conn = await connect(dsn)
    try:
        return await rebuild(conn, since, dt.datetime.now(TZ).date())
    finally:
        await conn.close()
