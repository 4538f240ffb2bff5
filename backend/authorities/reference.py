"""Load the official list of regions and municipalities (reference data shipped with the code).

Participation and go-live dates are deployment settings: the loader only fills in authorities
that are missing and never overwrites what an operator has set.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import asyncpg

REFERENCE_CSV = Path(__file__).resolve().parent.parent / "db" / "municipalities.csv"


def read_reference(path: Path = REFERENCE_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


async def load_reference_authorities(conn: asyncpg.Connection, path: Path = REFERENCE_CSV) -> int:
    """Insert missing regions, then municipalities; return how many rows were inserted."""
    rows = read_reference(path)
    inserted = 0
    async with conn.transaction():
        for kind in ("region", "municipality"):
            for row in (r for r in rows if r["kind"] == kind):
                go_live = dt.date.fromisoformat(row["go_live"]) if row["go_live"] else None
                status = await conn.execute(
                    """INSERT INTO authority (kind, code, name, region_id, go_live)
                       VALUES ($1, $2, $3, (SELECT id FROM authority WHERE code = $4), $5)
                       ON CONFLICT (code) DO NOTHING""",
                    kind, int(row["code"]), row["name"],
                    int(row["region_code"]) if row["region_code"] else None, go_live,
                )
                inserted += int(status.rsplit(" ", 1)[-1])
    return inserted


async def set_participation(
    conn: asyncpg.Connection, code: int, *, participates: bool, go_live: dt.date | None
) -> bool:
    """Set whether an authority takes part and from which date; False when the code is unknown."""
    status = await conn.execute(
        "UPDATE authority SET participates = $2, go_live = $3 WHERE code = $1",
        code, participates, go_live,
    )
    return status != "UPDATE 0"
