"""Benchmark: reports for payers on a large synthetic history.

An embedded PostgreSQL gets the demo data plus BENCH_REPORT_ORDERS orders (default 2,000,000;
national scale is 20M) spread over BENCH_REPORT_DAYS days (default 730) for citizens of every
reference authority (each pays its citizens' grants; one citizen in 20 also has a region grant),
BENCH_REPORT_LINES lines per order (default 2), a 'delivered' event 12-132 hours after nearly every
order, 1 % backorders, 1 % cancelled, and one callback per 100 orders — all written with
generate_series, in SQL.

Measured: the full rebuild (``fsc reports-rebuild``), the worker's hourly rolling recompute (the
job), and the page through the real app in-process (signed-in supervisor): all payers for the
default 12 months, one payer, 36 months, and the CSV — each the median of BENCH_REPORT_RUNS runs.
The page time does not grow with the orders: it reads payers x days aggregate rows.

The last line printed is one JSON object:
{"orders", "lines", "generate_s", "rebuild_s", "job_s", "page_ms", "page_one_payer_ms",
 "page_36_months_ms", "csv_ms", "aggregate_rows"}

Run: python bench/reports.py   (in the project's virtual env)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORDERS = int(os.environ.get("BENCH_REPORT_ORDERS", "2000000"))
DAYS = int(os.environ.get("BENCH_REPORT_DAYS", "730"))
LINES = int(os.environ.get("BENCH_REPORT_LINES", "2"))
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "7"))
CPR_KEY = "bench-cpr-key-0123456789abcdefghijklmnopqrstuvwxyz"

GENERATE = """
CREATE TEMP TABLE b_citizen AS
WITH municipalities AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(region_id ORDER BY id) AS regions
                          FROM authority WHERE kind = 'municipality'),
     inserted AS (
        INSERT INTO citizen (cpr_hash, name, street, postcode, city, municipality_id)
        SELECT sha256(('bench-report-' || i)::bytea), 'Rapport ' || i, 'Vej ' || i, '8000', 'By',
               m.ids[1 + i % cardinality(m.ids)]
          FROM generate_series(1, {citizens}) i, municipalities m
        RETURNING id, municipality_id)
SELECT i.id, i.municipality_id, a.region_id, row_number() OVER (ORDER BY i.id) - 1 AS n
  FROM inserted i JOIN authority a ON a.id = i.municipality_id;

CREATE TEMP TABLE b_product AS
SELECT id, pack_size, item_no, row_number() OVER (ORDER BY id) - 1 AS n FROM product;

CREATE TEMP TABLE b_grant AS
WITH inserted AS (
    INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, payer_id)
    SELECT c.id, p.id, 300, 30, current_date - {days} - 30,
           CASE WHEN k = 1 AND c.n % 20 = 0 THEN c.region_id ELSE c.municipality_id END
      FROM b_citizen c CROSS JOIN generate_series(1, {lines}) k
      JOIN b_product p ON p.n = (c.n * 7 + k) % (SELECT count(*) FROM b_product)
    RETURNING id, citizen_id, product_id)
SELECT g.id, g.citizen_id, g.product_id, row_number() OVER (PARTITION BY g.citizen_id ORDER BY g.id) AS k
  FROM inserted g;
CREATE INDEX ON b_grant (citizen_id, k);

CREATE TEMP TABLE b_order AS
WITH inserted AS (
    INSERT INTO order_ (citizen_id, status, placed_at, recipient_name, street, postcode, city)
    SELECT c.id,
           CASE WHEN i % 100 = 0 THEN 'cancelled' WHEN age < interval '5 days' THEN 'handed_to_carrier'
                ELSE 'delivered' END,
           now() - age, 'Rapport', 'Vej', '8000', 'By'
      FROM generate_series(1, {orders}) i
      CROSS JOIN LATERAL (SELECT make_interval(secs => ((i::bigint * 7919) % ({days} * 86400))::double precision) AS age) a
      JOIN b_citizen c ON c.n = i % {citizens}
    RETURNING id, citizen_id, status, placed_at)
SELECT * FROM inserted;

INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces)
SELECT o.id, g.id, g.product_id, 1 + o.id % 3, (1 + o.id % 3) * p.pack_size
  FROM b_order o JOIN b_grant g ON g.citizen_id = o.citizen_id JOIN product p ON p.id = g.product_id;

INSERT INTO warehouse_event (event_id, order_id, parcel_no, type, occurred_at, body)
SELECT 'bench-d-' || o.id, o.id, 1, 'delivered', o.placed_at + make_interval(hours => (12 + o.id % 121)::int), '{{}}'
  FROM b_order o WHERE o.status = 'delivered';

INSERT INTO backorder (order_id, item_no, expected_date)
SELECT o.id, p.item_no, current_date
  FROM b_order o JOIN b_grant g ON g.citizen_id = o.citizen_id AND g.k = 1 JOIN product p ON p.id = g.product_id
 WHERE o.id % 100 = 7;

INSERT INTO callback_slot (slot_start)
SELECT DISTINCT date_trunc('hour', o.placed_at) FROM b_order o WHERE o.id % 100 = 3 ON CONFLICT DO NOTHING;
INSERT INTO callback (citizen_id, slot_start, topic, phone, status, claimed_by)
SELECT o.citizen_id, date_trunc('hour', o.placed_at), 'order', '+45 20 00 00 00',
       CASE WHEN o.placed_at > now() - interval '2 days' THEN 'waiting' ELSE 'done' END,
       CASE WHEN o.placed_at > now() - interval '2 days' THEN NULL ELSE (SELECT min(id) FROM staff) END
  FROM b_order o WHERE o.id % 100 = 3;
ANALYZE;
"""


async def prepare(dsn: str) -> float:
    from backend.authorities.reference import load_reference_authorities
    from backend.db.migrate import migrate
    from backend.db.pool import connect
    from backend.jobs import install_or_upgrade
    from backend.seed.demo import seed_demo

    conn = await connect(dsn)
    try:
        await migrate(conn)
        await install_or_upgrade(conn)
        await load_reference_authorities(conn)
        await seed_demo(conn, CPR_KEY)
        started = time.perf_counter()
        await conn.execute(GENERATE.format(orders=ORDERS, citizens=max(1, ORDERS // 20), days=DAYS, lines=LINES))
        return time.perf_counter() - started
    finally:
        await conn.close()


async def aggregate(dsn: str) -> tuple[float, float, int, int]:
    from backend.db.pool import connect
    from backend.reports.aggregate import rebuild, refresh_recent

    conn = await connect(dsn)
    try:
        today = dt.date.today()
        started = time.perf_counter()
        await rebuild(conn, None, today)
        rebuild_s = time.perf_counter() - started
        started = time.perf_counter()
        await refresh_recent(conn, today)
        job_s = time.perf_counter() - started
        rows = await conn.fetchval("SELECT count(*) FROM report_payer_day")
        lines = await conn.fetchval("SELECT count(*) FROM order_line")
        return rebuild_s, job_s, rows, lines
    finally:
        await conn.close()


async def page_times(dsn: str) -> dict[str, float]:
    from litestar.testing import AsyncTestClient

    from backend.app import create_app
    from tests.conftest import make_settings, page_csrf_token

    from backend.db.pool import connect

    conn = await connect(dsn)
    peter = await conn.fetchval("SELECT id FROM staff WHERE name = 'Peter Vang'")
    await conn.close()
    app = create_app(make_settings(cpr_key=CPR_KEY), database_url=dsn)
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await client.post("/fsc/login/demo", data={"staff_id": str(peter),
                                                   "_csrf_token": await page_csrf_token(client, "/fsc/login")})
        this_month = dt.date.today().replace(day=1)
        first_36 = dt.date(this_month.year - 3, this_month.month, 1) + dt.timedelta(days=32)
        urls = {"page_ms": "/fsc/reports/payers", "page_one_payer_ms": "/fsc/reports/payers?payer=751",
                "page_36_months_ms": f"/fsc/reports/payers?from={first_36:%Y-%m}&to={this_month:%Y-%m}",
                "csv_ms": "/fsc/reports/payers.csv"}
        times = {}
        for name, url in urls.items():
            runs = []
            for _ in range(RUNS):
                started = time.perf_counter()
                response = await client.get(url)
                runs.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times[name] = round(statistics.median(runs), 1)
        return times


def main() -> None:
    from backend.db.embedded import start_embedded

    data_dir = Path(tempfile.mkdtemp(prefix="fscrep", dir="/tmp"))
    try:
        dsn = start_embedded(data_dir)
        generate_s = asyncio.run(prepare(dsn))
        print(f"generated {ORDERS} orders in {generate_s:.1f} s", file=sys.stderr)
        rebuild_s, job_s, rows, lines = asyncio.run(aggregate(dsn))
        print(f"rebuild {rebuild_s:.1f} s, rolling job {job_s:.2f} s, {rows} aggregate rows", file=sys.stderr)
        pages = asyncio.run(page_times(dsn))
        print(json.dumps({"orders": ORDERS, "lines": lines, "generate_s": round(generate_s, 1),
                          "rebuild_s": round(rebuild_s, 1), "job_s": round(job_s, 2), **pages,
                          "aggregate_rows": rows}))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
