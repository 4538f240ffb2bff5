"""Keeping the payer report's daily aggregates (migration 0017) up to date.

``recompute(conn, first, end)`` throws away and recomputes every day in [first, end) (end None:
open-ended, which also takes in callbacks booked for coming days) in one transaction, so it can
run any number of times with the same result and readers never see a half-done range. Each
source (orders, lead times, backorders, callbacks, change requests) is one statement that fills only its own
columns of the same (payer, day) rows; another source is one more statement and its columns.

The page reads ``report_payer_month``: the same figures per month, summed from the days (lead-time
histograms added bucket by bucket) by the last statement of every recompute, plus the month's
distinct citizens. The days stay the unit of recompute and of any finer report.

The worker recomputes a rolling window every hour (``refresh_recent``): the last ``WINDOW_DAYS``
days, widened to the first of that month so the month's distinct citizens are counted whole. A
delivery confirmed late (its event arrives days after) lands on the day the order was placed,
which is inside the window. ``fsc reports-rebuild [--from DATE]`` rebuilds all history month by
month (``rebuild``).

Days are Copenhagen dates. Spend is at the contract price on the day of the order
(``order_line.price_oere``, kept with the line since migration 0015), so a later price change in
the catalogue does not rewrite past months.

Change requests count on the day they were made, for the payer they went to; their handling time
(made -> decided) lands on that day too once decided. A request decided after it has left the
rolling window (more than ``WINDOW_DAYS`` days, far beyond any service target) is counted by the
next ``fsc reports-rebuild``.
"""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg

from backend.reports.buckets import bucket_sql

log = logging.getLogger("fsc.reports")

WINDOW_DAYS = 35
TZ = "Europe/Copenhagen"
LOCK = "hashtext('report_payer_day')"

# $1 first day (date), $2 end day (date or NULL); placed_at compared as instants in Copenhagen time.
ORDERS_IN_RANGE = f"""o.placed_at >= ($1::date::timestamp AT TIME ZONE '{TZ}')
   AND ($2::date IS NULL OR o.placed_at < ($2::date::timestamp AT TIME ZONE '{TZ}'))
   AND o.status <> 'cancelled'"""
DAY_OF_ORDER = f"(o.placed_at AT TIME ZONE '{TZ}')::date"

ORDERS = f"""
INSERT INTO report_payer_day (payer_id, day, orders, packs, pieces, spend_oere)
SELECT g.payer_id, {DAY_OF_ORDER}, count(DISTINCT o.id), sum(l.packs), sum(l.pieces),
       sum(l.packs::bigint * l.price_oere)
  FROM order_ o
  JOIN order_line l ON l.order_id = o.id
  JOIN grant_ g ON g.id = l.grant_id
 WHERE {ORDERS_IN_RANGE}
 GROUP BY 1, 2"""

# An order is delivered when its last parcel is: the latest 'delivered' event (its occurred_at,
# not when we received it). An order paid by two payers counts for each.
LEAD_TIMES = f"""
WITH delivered AS (
    SELECT DISTINCT o.id, g.payer_id, {DAY_OF_ORDER} AS day,
           {bucket_sql("extract(epoch FROM e.at - o.placed_at) / 3600.0")} AS bucket
      FROM order_ o
      JOIN LATERAL (SELECT max(occurred_at) AS at FROM warehouse_event
                     WHERE order_id = o.id AND type = 'delivered') e ON e.at IS NOT NULL
      JOIN order_line l ON l.order_id = o.id
      JOIN grant_ g ON g.id = l.grant_id
     WHERE {ORDERS_IN_RANGE} AND o.status = 'delivered'
), per_bucket AS (
    SELECT payer_id, day, bucket, count(*)::integer AS n FROM delivered GROUP BY 1, 2, 3
)
INSERT INTO report_payer_day (payer_id, day, delivered, lead_buckets, lead_counts)
SELECT payer_id, day, sum(n), array_agg(bucket ORDER BY bucket), array_agg(n ORDER BY bucket)
  FROM per_bucket GROUP BY 1, 2
    ON CONFLICT (payer_id, day) DO UPDATE
   SET delivered = EXCLUDED.delivered, lead_buckets = EXCLUDED.lead_buckets, lead_counts = EXCLUDED.lead_counts"""

# The backordered item's own order line says who pays for it.
BACKORDERS = f"""
INSERT INTO report_payer_day (payer_id, day, backorders)
SELECT g.payer_id, {DAY_OF_ORDER}, count(*)
  FROM order_ o
  JOIN backorder b ON b.order_id = o.id
  JOIN order_line l ON l.order_id = o.id
  JOIN product p ON p.id = l.product_id AND p.item_no = b.item_no
  JOIN grant_ g ON g.id = l.grant_id
 WHERE {ORDERS_IN_RANGE}
 GROUP BY 1, 2
    ON CONFLICT (payer_id, day) DO UPDATE SET backorders = EXCLUDED.backorders"""

# Callbacks belong to no payer: counted for the citizen's municipality (the page says so).
CALLBACKS = f"""
INSERT INTO report_payer_day (payer_id, day, callbacks_handled, callbacks_waiting)
SELECT c.municipality_id, (cb.slot_start AT TIME ZONE '{TZ}')::date,
       count(*) FILTER (WHERE cb.status = 'done'),
       count(*) FILTER (WHERE cb.status IN ('waiting', 'in_progress', 'no_answer'))
  FROM callback cb
  JOIN citizen c ON c.id = cb.citizen_id
 WHERE cb.slot_start >= ($1::date::timestamp AT TIME ZONE '{TZ}')
   AND ($2::date IS NULL OR cb.slot_start < ($2::date::timestamp AT TIME ZONE '{TZ}'))
   AND cb.status <> 'cancelled'
 GROUP BY 1, 2
    ON CONFLICT (payer_id, day) DO UPDATE
   SET callbacks_handled = EXCLUDED.callbacks_handled, callbacks_waiting = EXCLUDED.callbacks_waiting"""

# Product-change requests per payer and the day they were made; of those decided by now, the
# handling time made -> decided as a histogram (the lead time's buckets).
CHANGE_REQUESTS = f"""
WITH requests AS (
    SELECT cr.payer_id, (cr.created_at AT TIME ZONE '{TZ}')::date AS day, cr.decided_at IS NOT NULL AS decided,
           {bucket_sql("extract(epoch FROM cr.decided_at - cr.created_at) / 3600.0")} AS bucket
      FROM change_request cr
     WHERE cr.created_at >= ($1::date::timestamp AT TIME ZONE '{TZ}')
       AND ($2::date IS NULL OR cr.created_at < ($2::date::timestamp AT TIME ZONE '{TZ}'))
), per_day AS (
    SELECT payer_id, day, count(*)::integer AS made, count(*) FILTER (WHERE decided)::integer AS decided
      FROM requests GROUP BY 1, 2
), per_bucket AS (
    SELECT payer_id, day, bucket, count(*)::integer AS n FROM requests WHERE decided GROUP BY 1, 2, 3
), histograms AS (
    SELECT payer_id, day, array_agg(bucket ORDER BY bucket) AS buckets, array_agg(n ORDER BY bucket) AS counts
      FROM per_bucket GROUP BY 1, 2
)
INSERT INTO report_payer_day (payer_id, day, change_requests, change_decided, change_buckets, change_counts)
SELECT d.payer_id, d.day, d.made, d.decided, coalesce(h.buckets, '{{}}'), coalesce(h.counts, '{{}}')
  FROM per_day d LEFT JOIN histograms h USING (payer_id, day)
    ON CONFLICT (payer_id, day) DO UPDATE
   SET change_requests = EXCLUDED.change_requests, change_decided = EXCLUDED.change_decided,
       change_buckets = EXCLUDED.change_buckets, change_counts = EXCLUDED.change_counts"""

CITIZENS = f"""
INSERT INTO report_payer_month (payer_id, month, citizens)
SELECT g.payer_id, date_trunc('month', {DAY_OF_ORDER})::date, count(DISTINCT o.citizen_id)
  FROM order_ o
  JOIN order_line l ON l.order_id = o.id
  JOIN grant_ g ON g.id = l.grant_id
 WHERE {ORDERS_IN_RANGE}
 GROUP BY 1, 2"""

# The months of the range from their days: sums, and histograms added bucket by bucket.
MONTHS = """
WITH days AS (
    SELECT * FROM report_payer_day WHERE day >= $1 AND ($2::date IS NULL OR day < $2)
), sums AS (
    SELECT payer_id, date_trunc('month', day)::date AS month, sum(orders) AS orders, sum(packs) AS packs,
           sum(pieces) AS pieces, sum(spend_oere) AS spend_oere, sum(delivered) AS delivered,
           sum(backorders) AS backorders, sum(callbacks_handled) AS callbacks_handled,
           sum(callbacks_waiting) AS callbacks_waiting, sum(change_requests) AS change_requests,
           sum(change_decided) AS change_decided
      FROM days GROUP BY 1, 2
), per_bucket AS (
    SELECT d.payer_id, date_trunc('month', d.day)::date AS month, h.bucket, sum(h.n)::integer AS n
      FROM days d CROSS JOIN LATERAL unnest(d.lead_buckets, d.lead_counts) AS h(bucket, n)
     GROUP BY 1, 2, 3
), histograms AS (
    SELECT payer_id, month, array_agg(bucket ORDER BY bucket) AS buckets, array_agg(n ORDER BY bucket) AS counts
      FROM per_bucket GROUP BY 1, 2
), change_per_bucket AS (
    SELECT d.payer_id, date_trunc('month', d.day)::date AS month, h.bucket, sum(h.n)::integer AS n
      FROM days d CROSS JOIN LATERAL unnest(d.change_buckets, d.change_counts) AS h(bucket, n)
     GROUP BY 1, 2, 3
), change_histograms AS (
    SELECT payer_id, month, array_agg(bucket ORDER BY bucket) AS change_buckets,
           array_agg(n ORDER BY bucket) AS change_counts
      FROM change_per_bucket GROUP BY 1, 2
)
INSERT INTO report_payer_month (payer_id, month, orders, packs, pieces, spend_oere, delivered, lead_buckets,
                                lead_counts, backorders, callbacks_handled, callbacks_waiting, change_requests,
                                change_decided, change_buckets, change_counts)
SELECT s.payer_id, s.month, s.orders, s.packs, s.pieces, s.spend_oere, s.delivered,
       coalesce(h.buckets, '{}'), coalesce(h.counts, '{}'), s.backorders, s.callbacks_handled, s.callbacks_waiting,
       s.change_requests, s.change_decided, coalesce(c.change_buckets, '{}'), coalesce(c.change_counts, '{}')
  FROM sums s LEFT JOIN histograms h USING (payer_id, month) LEFT JOIN change_histograms c USING (payer_id, month)
    ON CONFLICT (payer_id, month) DO UPDATE
   SET orders = EXCLUDED.orders, packs = EXCLUDED.packs, pieces = EXCLUDED.pieces, spend_oere = EXCLUDED.spend_oere,
       delivered = EXCLUDED.delivered, lead_buckets = EXCLUDED.lead_buckets, lead_counts = EXCLUDED.lead_counts,
       backorders = EXCLUDED.backorders, callbacks_handled = EXCLUDED.callbacks_handled,
       callbacks_waiting = EXCLUDED.callbacks_waiting, change_requests = EXCLUDED.change_requests,
       change_decided = EXCLUDED.change_decided, change_buckets = EXCLUDED.change_buckets,
       change_counts = EXCLUDED.change_counts"""

SOURCES = (ORDERS, LEAD_TIMES, BACKORDERS, CALLBACKS, CHANGE_REQUESTS, CITIZENS, MONTHS)
"""Run in this order after the range is cleared: ORDERS first (it inserts, the other day sources
upsert), MONTHS last (it rolls the finished days up into the months CITIZENS started)."""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


async def recompute(conn: asyncpg.Connection, first: dt.date, end: dt.date | None) -> None:
    """Recompute the days [first, end) (``first`` a month's first day) in one transaction."""
    if first != month_start(first) or (end is not None and end != month_start(end)):
        raise ValueError("the range must start and end on the first of a month")
    async with conn.transaction():
        await conn.execute(f"SELECT pg_advisory_xact_lock({LOCK})")  # one recompute at a time
        await conn.execute("DELETE FROM report_payer_day WHERE day >= $1 AND ($2::date IS NULL OR day < $2)",
                           first, end)
        await conn.execute("DELETE FROM report_payer_month WHERE month >= $1 AND ($2::date IS NULL OR month < $2)",
                           first, end)
        for statement in SOURCES:
            await conn.execute(statement, first, end)
        await conn.execute(
            """INSERT INTO report_refresh (id, refreshed_at, window_from) VALUES (true, now(), $1)
               ON CONFLICT (id) DO UPDATE SET refreshed_at = now(), window_from = EXCLUDED.window_from""", first)


def window_start(today: dt.date) -> dt.date:
    return month_start(today - dt.timedelta(days=WINDOW_DAYS))


async def refresh_recent(conn: asyncpg.Connection, today: dt.date) -> dt.date:
    """The worker's rolling recompute; returns where it started."""
    first = window_start(today)
    await recompute(conn, first, None)
    return first


async def rebuild(conn: asyncpg.Connection, since: dt.date | None, today: dt.date) -> int:
    """Recompute from ``since`` (default: the first order) to the end, one month per transaction
    (bounded work per transaction on national data); returns the number of months."""
    if since is None:
        first_order = await conn.fetchval(f"SELECT min({DAY_OF_ORDER}) FROM order_ o")
        since = first_order or today
    month = month_start(since)
    months = 0
    while month < month_start(today):
        await recompute(conn, month, next_month(month))
        month, months = next_month(month), months + 1
        log.info("report aggregates rebuilt up to %s", month)
    await recompute(conn, month, None)  # the current month and any callbacks booked ahead
    return months + 1
