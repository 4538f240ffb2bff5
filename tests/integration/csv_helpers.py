"""Grant CSV files for the import tests and the benchmark."""

from __future__ import annotations

import datetime as dt

from backend.intake.csv_import import COLUMNS


def grant_row(n: int, *, municipality: int = 751, **changes: str) -> dict[str, str]:
    """A valid create line for a new citizen number ``n`` of ``municipality`` (an invented CPR)."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=n % 18000)
    row = {"action": "create", "reference": f"IMP-{n:06d}", "cpr": f"{day:%d%m%y}{n % 10000:04d}",
           "name": f"Borger {n}", "street": f"Importvej {n % 300 + 1}", "postcode": "8000", "city": "Aarhus C",
           "municipality_code": str(municipality), "phone": "", "stoma_since": "", "hmi_no": "504217",
           "manufacturer": "", "item_no": "", "area": "stomi", "quantity_per_period": "90", "period_days": "30",
           "valid_from": "2026-12-01", "valid_to": ""}
    return row | changes


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ";", bom: bool = True,
              header: tuple[str, ...] = COLUMNS) -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row.get(c, "") for c in header) for row in rows]
    return (b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode()
