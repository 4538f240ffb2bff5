"""Demo data for the reports for payers: the demo's delivered orders get a 'delivered' event (the
seed writes orders straight into their final status, without the warehouse's events) so that
delivery times show, then the report's aggregates are built."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.reports.aggregate import rebuild


async def seed_report_history(conn: asyncpg.Connection, today: dt.date) -> None:
    # Between 20 and 98 hours after the order, varied by order id so the histogram has a spread.
    await conn.execute(
        """INSERT INTO warehouse_event (event_id, order_id, parcel_no, type, occurred_at, body)
           SELECT 'demo-delivered-' || o.id, o.id, 1, 'delivered',
                  o.placed_at + make_interval(hours => (20 + (o.id * 37) % 79)::int),
                  jsonb_build_object('type', 'delivered', 'order_id', o.id, 'parcel_no', 1)
             FROM order_ o
            WHERE o.status = 'delivered'
              AND NOT EXISTS (SELECT 1 FROM warehouse_event e WHERE e.order_id = o.id AND e.type = 'delivered')""")
    await rebuild(conn, None, today)
