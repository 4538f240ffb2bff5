"""Reads of the payer report: only the aggregate tables (migration 0017), never order_.

Every read takes ``payer_ids``: None for all payers (a supervisor), or the payers the viewer may
see (a caseworker: their own authority). ``by_payer`` keeps one row per payer and month (the CSV)
instead of adding the payers together (the page).
"""

from __future__ import annotations

import datetime as dt

import asyncpg

PAYER_FILTER = "($3::int[] IS NULL OR {alias}.payer_id = ANY($3::int[]))"


def _payer_column(by_payer: bool, alias: str) -> str:
    return f"{alias}.payer_id" if by_payer else "NULL::int"


async def select_month_figures(conn: asyncpg.Connection, first: dt.date, end: dt.date, payer_ids: list[int] | None,
                               *, by_payer: bool) -> list[asyncpg.Record]:
    """Sums per month (and payer) of the days in [first, end)."""
    payer = _payer_column(by_payer, "d")
    return await conn.fetch(
        f"""SELECT date_trunc('month', d.day)::date AS month, {payer} AS payer_id,
                   sum(d.orders)::bigint AS orders, sum(d.packs)::bigint AS packs,
                   sum(d.pieces)::bigint AS pieces, sum(d.spend_oere)::bigint AS spend_oere,
                   sum(d.delivered)::bigint AS delivered, sum(d.backorders)::bigint AS backorders,
                   sum(d.callbacks_handled)::bigint AS callbacks_handled,
                   sum(d.callbacks_waiting)::bigint AS callbacks_waiting
              FROM report_payer_day d
             WHERE d.day >= $1 AND d.day < $2 AND {PAYER_FILTER.format(alias="d")}
             GROUP BY 1, 2 ORDER BY 1, 2""",
        first, end, payer_ids)


async def select_month_lead_histograms(conn: asyncpg.Connection, first: dt.date, end: dt.date,
                                       payer_ids: list[int] | None, *, by_payer: bool) -> list[asyncpg.Record]:
    """The summed lead-time histogram per month (and payer): rows (month, payer_id, bucket, n)."""
    payer = _payer_column(by_payer, "d")
    return await conn.fetch(
        f"""SELECT date_trunc('month', d.day)::date AS month, {payer} AS payer_id, h.bucket, sum(h.n)::bigint AS n
              FROM report_payer_day d
             CROSS JOIN LATERAL unnest(d.lead_buckets, d.lead_counts) AS h(bucket, n)
             WHERE d.day >= $1 AND d.day < $2 AND {PAYER_FILTER.format(alias="d")}
             GROUP BY 1, 2, 3""",
        first, end, payer_ids)


async def select_month_citizens(conn: asyncpg.Connection, first: dt.date, end: dt.date, payer_ids: list[int] | None,
                                *, by_payer: bool) -> list[asyncpg.Record]:
    """Citizens served per month (and payer). Added up over payers, a citizen with two payers in a
    month (a hospital discharge handing over) counts once for each."""
    payer = _payer_column(by_payer, "m")
    return await conn.fetch(
        f"""SELECT m.month, {payer} AS payer_id, sum(m.citizens)::bigint AS citizens
              FROM report_payer_month m
             WHERE m.month >= $1 AND m.month < $2 AND {PAYER_FILTER.format(alias="m")}
             GROUP BY 1, 2""",
        first, end, payer_ids)


async def select_payers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every authority that can pay a grant (regions first, then municipalities, by name)."""
    return await conn.fetch("SELECT id, code, name, kind FROM authority ORDER BY kind = 'municipality', name")


async def select_refreshed_at(conn: asyncpg.Connection) -> dt.datetime | None:
    return await conn.fetchval("SELECT refreshed_at FROM report_refresh")
