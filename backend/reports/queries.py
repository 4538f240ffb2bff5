"""Reads of the payer report: only the monthly roll-up (migration 0017), never order_.

Every read takes ``payer_ids``: None for all payers (a supervisor), or the payers the viewer may
see (a caseworker: their own authority).
"""

from __future__ import annotations

import datetime as dt

import asyncpg


async def select_months(conn: asyncpg.Connection, first: dt.date, end: dt.date,
                        payer_ids: list[int] | None) -> list[asyncpg.Record]:
    """One row per payer and month in [first, end) with any figure (at most payers x months rows)."""
    return await conn.fetch(
        """SELECT payer_id, month, citizens, orders, packs, pieces, spend_oere, delivered, lead_buckets, lead_counts,
                  backorders, callbacks_handled, callbacks_waiting, change_requests, change_decided, change_buckets,
                  change_counts
             FROM report_payer_month
            WHERE month >= $1 AND month < $2 AND ($3::int[] IS NULL OR payer_id = ANY($3::int[]))
            ORDER BY payer_id, month""",
        first, end, payer_ids)


async def select_payers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every authority that can pay a grant (regions first, then municipalities, by name)."""
    return await conn.fetch("SELECT id, code, name, kind FROM authority ORDER BY kind = 'municipality', name")


async def select_refreshed_at(conn: asyncpg.Connection) -> dt.datetime | None:
    return await conn.fetchval("SELECT refreshed_at FROM report_refresh")
