"""Benchmark: a CSV file of 10,000 grants imported in one transaction (issue 16: under a minute).

Starts an embedded PostgreSQL in a temporary directory, migrates and loads the demo data (the
catalogue, the demo citizens), writes a generated file of ``BENCH_GRANTS`` new grants for Aarhus
(10,000 by default: new citizens, several products, some citizens with two grants), then imports
it with the real importer (every check, one transaction), and imports it again (all replays:
idempotency checked for every line). The last line printed is one JSON object:
{"grants", "bytes", "import_s", "reimport_s", "target_s", "ok"}

Run: python bench/grant_import.py   (in the project's virtual env)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRANTS = int(os.environ.get("BENCH_GRANTS", "10000"))
TARGET_S = 60
CPR_KEY = "bench-cpr-key-0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTS = ("504217", "504218", "504233", "504305", "504311", "504320", "61874", "73021")


def generated_file(count: int) -> bytes:
    """``count`` create lines; every third citizen has two grants (two products)."""
    from backend.intake.csv_import import COLUMNS

    lines = [";".join(COLUMNS)]
    for n in range(count):
        person = n - (n % 3 == 2)  # lines 3k+1 and 3k+2 are the same citizen
        cpr = f"{(person % 28) + 1:02d}{(person // 28) % 12 + 1:02d}{40 + person % 50:02d}{person % 10000:04d}"
        row = {"action": "create", "reference": f"AAR-BENCH-{n:06d}", "cpr": cpr, "name": f"Borger {person}",
               "street": f"Benchvej {person % 500 + 1}", "postcode": "8000", "city": "Aarhus C",
               "municipality_code": "751", "phone": "", "stoma_since": "", "hmi_no": PRODUCTS[n % len(PRODUCTS)],
               "manufacturer": "", "item_no": "", "area": "stomi", "quantity_per_period": str(30 + n % 60),
               "period_days": "30", "valid_from": "2026-12-01", "valid_to": ""}
        lines.append(";".join(row[c] for c in COLUMNS))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


async def run(dsn: str) -> dict:
    from backend.authorities.reference import load_reference_authorities
    from backend.db.migrate import migrate
    from backend.db.pool import connect
    from backend.intake.apply import Actor
    from backend.intake.csv_import import import_grants
    from backend.intake.service import authority_by_code
    from backend.seed.demo import seed_demo

    conn = await connect(dsn)
    try:
        await migrate(conn)
        await load_reference_authorities(conn)
        await seed_demo(conn, CPR_KEY)
        issuer = await authority_by_code(conn, 751)
        data = generated_file(GRANTS)
        actor = Actor("authority", issuer.id, "csv")
        grants_before = await conn.fetchval("SELECT count(*) FROM grant_")
        started = time.perf_counter()
        report = await import_grants(conn, issuer, data, cpr_key=CPR_KEY, actor=actor, max_bytes=100_000_000)
        import_s = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"the generated file was refused: {report.file_error or report.bad_lines[:5]}")
        added = await conn.fetchval("SELECT count(*) FROM grant_") - grants_before
        started = time.perf_counter()
        again = await import_grants(conn, issuer, data, cpr_key=CPR_KEY, actor=actor, max_bytes=100_000_000)
        reimport_s = time.perf_counter() - started
        replayed = again.outcome.count("replayed") if again.ok else 0
    finally:
        await conn.close()
    return {"grants": GRANTS, "bytes": len(data), "import_s": round(import_s, 2), "reimport_s": round(reimport_s, 2),
            "target_s": TARGET_S, "ok": added == GRANTS and replayed == GRANTS and import_s < TARGET_S}


def main() -> None:
    from backend.db.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="fsgb", dir="/tmp") as tmp:
        dsn = start_embedded(Path(tmp) / "pg")
        print(json.dumps(asyncio.run(run(dsn))))


if __name__ == "__main__":
    main()
