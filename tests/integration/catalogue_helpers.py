"""Builders for catalogue import tests: CSV files in the tender's format, pictures, the upload."""

from __future__ import annotations

import io
import random

from PIL import Image

from backend.catalog.csv_rows import HEADER
from tests.integration.test_staff import staff_id, staff_login
from tests.conftest import csrf_token

GOOD = {"manufacturer": "Coloplast", "item_no": "T-1000", "hmi_no": "990001", "name": "Testpose Midi",
        "area": "stomi", "category": "one_piece_closed", "pack_size": "30", "unit": "piece", "price": "895,00",
        "valid_from": "2026-01-01", "valid_to": "", "successor_item_no": "", "picture": ""}


def line(**values: str) -> dict[str, str]:
    return {**GOOD, **values}


def csv_bytes(*lines: dict[str, str], header: tuple[str, ...] = HEADER, delimiter: str = ";") -> bytes:
    rows = [delimiter.join(header)] + [delimiter.join(row.values()) for row in lines]
    return ("\n".join(rows) + "\n").encode("utf-8")


def noisy_photo(width: int = 2000, height: int = 1500) -> bytes:
    """The hardest case for a small version: random noise (a real photo compresses far better)."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def supervisor(client, db) -> None:
    await staff_login(client, await staff_id(db, "Peter Vang"))


async def upload(client, csv: bytes, pictures: dict[str, bytes] | None = None):
    files = [("file", ("produkter.csv", csv, "text/csv"))]
    files += [("pictures", (name, data, "image/png")) for name, data in (pictures or {}).items()]
    return await client.post("/fsc/catalogue", files=files,
                             data={"_csrf_token": await csrf_token(client, "/fsc/catalogue")}, follow_redirects=False)


async def catalogue_state(db) -> tuple:
    """Everything an import may write (to show that a refused one wrote nothing)."""
    return tuple(await db.fetchrow(
        """SELECT (SELECT count(*) FROM product) AS products, (SELECT count(*) FROM manufacturer) AS manufacturers,
                  (SELECT count(*) FROM product_price) AS prices, (SELECT count(*) FROM product_picture) AS pictures,
                  (SELECT md5(string_agg(p::text, '' ORDER BY id)) FROM product p) AS product_rows,
                  (SELECT count(*) FROM audit_log WHERE action = 'catalogue_imported') AS imports"""))
