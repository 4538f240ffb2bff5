"""Import the tender's product list into the shared catalogue: all lines or none.

Every line is checked first (backend/catalog/csv_rows.py), then against the database (areas,
HMI numbers, successors) and its picture is made small; any bad line refuses the whole file, and
the refusal lists every bad line. Only then is everything written in one transaction. A product
is known by manufacturer and item number: a known one is updated (its price history gets a row
when the price changes), a new one is added. Products not in the file are left as they are; a
product leaves the range by its valid_to, keeping its orders and grants, and names a successor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import asyncpg
import msgspec

from backend.audit import log_event
from backend.catalog.csv_rows import FileProblem, LineError, ProductLine, read_lines
from backend.catalog.labels import N_
from backend.catalog.pictures import Picture, PictureError, small_version

PictureSource = Callable[[str], bytes | None]  # file name -> its bytes (None: there is no such file)


class ImportRefused(Exception):
    """Nothing was written: the whole file (``problem``) or these lines (``errors``) are wrong."""

    def __init__(self, errors: list[LineError] | None = None, problem: FileProblem | None = None) -> None:
        super().__init__("catalogue import refused")
        self.errors, self.problem = errors or [], problem


class ImportResult(msgspec.Struct, frozen=True):
    added: int
    updated: int
    pictures: int


_EXISTING_SQL = """SELECT p.id, m.name AS manufacturer, p.item_no, p.hmi_no, p.price_oere
                     FROM product p JOIN manufacturer m ON m.id = p.manufacturer_id"""

_UPSERT_SQL = """
INSERT INTO product (manufacturer_id, item_no, hmi_no, name, area_code, category, pack_size, unit, price_oere,
                     valid_from, valid_to, updated_at)
SELECT m.id, x.item_no, x.hmi_no, x.name, x.area, x.category, x.pack_size, x.unit, x.price_oere,
       x.valid_from, x.valid_to, now()
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
              $9::bigint[], $10::date[], $11::date[])
         AS x (manufacturer, item_no, hmi_no, name, area, category, pack_size, unit, price_oere, valid_from, valid_to)
  JOIN manufacturer m ON m.name = x.manufacturer
ON CONFLICT (manufacturer_id, item_no) DO UPDATE
   SET hmi_no = EXCLUDED.hmi_no, name = EXCLUDED.name, area_code = EXCLUDED.area_code,
       category = EXCLUDED.category, pack_size = EXCLUDED.pack_size, unit = EXCLUDED.unit,
       price_oere = EXCLUDED.price_oere, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
       updated_at = now()
RETURNING id, item_no, (xmax = 0) AS added"""


def _line_error(line: ProductLine, message: str, **values: object) -> LineError:
    return LineError(line.line, message, {k: str(v) for k, v in values.items()})


async def _database_errors(conn: asyncpg.Connection, lines: list[ProductLine]) -> list[LineError]:
    """What only the database can tell: unknown areas, HMI numbers of other products, successors."""
    errors = []
    areas = {r["code"] for r in await conn.fetch("SELECT code FROM product_area")}
    existing = await conn.fetch(_EXISTING_SQL)
    owner_of_hmi = {r["hmi_no"]: (r["manufacturer"], r["item_no"]) for r in existing if r["hmi_no"]}
    db_items: dict[str, int] = {}
    for r in existing:
        db_items[r["item_no"]] = db_items.get(r["item_no"], 0) + 1
    in_file = {line.item_no for line in lines}
    for line in lines:
        if line.area not in areas:
            errors.append(_line_error(line, N_("Unknown product area \"%(value)s\"."), value=line.area))
        owner = owner_of_hmi.get(line.hmi_no) if line.hmi_no else None
        if owner is not None and owner != (line.manufacturer, line.item_no):
            errors.append(_line_error(line, N_("HMI number %(hmi)s belongs to another product (%(item)s)."),
                                      hmi=line.hmi_no, item=owner[1]))
        successor = line.successor_item_no
        if successor is not None and successor not in in_file:
            if db_items.get(successor, 0) == 0:
                errors.append(_line_error(line, N_("The successor %(item)s is neither in the file nor in the "
                                                   "catalogue."), item=successor))
            elif db_items[successor] > 1:
                errors.append(_line_error(line, N_("Several manufacturers have item number %(item)s: put the "
                                                   "successor in the file too."), item=successor))
    return errors


def _pictures(lines: list[ProductLine], source: PictureSource) -> tuple[dict[int, Picture], list[LineError]]:
    """The small version of each line's picture (runs in a thread: decoding images is CPU work)."""
    made: dict[int, Picture] = {}
    errors = []
    for line in lines:
        if line.picture is None:
            continue
        raw = source(line.picture)
        if raw is None:
            errors.append(_line_error(line, N_("The picture %(name)s is not among the files."), name=line.picture))
            continue
        try:
            made[line.line] = small_version(raw)
        except PictureError as exc:
            errors.append(_line_error(line, str(exc)))
    return made, errors


async def import_catalogue(conn: asyncpg.Connection, raw: bytes, pictures: PictureSource, today: dt.date, *,
                           actor: tuple[str, int | None] = ("system", None)) -> ImportResult:
    """Check everything, then write everything in one transaction (ImportRefused: nothing written)."""
    try:
        lines, errors = read_lines(raw)
    except FileProblem as problem:
        raise ImportRefused(problem=problem) from None
    errors += await _database_errors(conn, lines)
    made, picture_errors = await asyncio.to_thread(_pictures, lines, pictures)
    errors += picture_errors
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.line))
    async with conn.transaction():
        result = await _write(conn, lines, made, today)
        await log_event(conn, actor_kind=actor[0], actor_id=actor[1], citizen_id=None, action="catalogue_imported",
                        detail={"added": result.added, "updated": result.updated, "pictures": result.pictures})
    return result


async def _write(conn: asyncpg.Connection, lines: list[ProductLine], made: dict[int, Picture],
                 today: dt.date) -> ImportResult:
    old_price = {(r["manufacturer"], r["item_no"]): r["price_oere"] for r in await conn.fetch(_EXISTING_SQL)}
    await conn.execute("INSERT INTO manufacturer (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING",
                       sorted({line.manufacturer for line in lines}))
    columns = [[getattr(line, field) for line in lines] for field in (
        "manufacturer", "item_no", "hmi_no", "name", "area", "category", "pack_size", "unit", "price_oere",
        "valid_from", "valid_to")]
    rows = await conn.fetch(_UPSERT_SQL, *columns)
    ids = {r["item_no"]: r["id"] for r in rows}
    # The price history: new products from their first day, changed prices from today.
    prices = [(ids[line.item_no], line.valid_from or today if (line.manufacturer, line.item_no) not in old_price
               else today, line.price_oere)
              for line in lines if old_price.get((line.manufacturer, line.item_no)) != line.price_oere]
    await conn.executemany(
        """INSERT INTO product_price (product_id, valid_from, price_oere) VALUES ($1, $2, $3)
           ON CONFLICT (product_id, valid_from) DO UPDATE SET price_oere = EXCLUDED.price_oere""", prices)
    # Successors named by item number: in the file, else the one catalogue product with it.
    await conn.execute(
        """UPDATE product p SET successor_id = coalesce(x.in_file, (SELECT s.id FROM product s WHERE s.item_no = x.item))
             FROM unnest($1::int[], $2::text[], $3::int[]) AS x (id, item, in_file) WHERE p.id = x.id""",
        [ids[line.item_no] for line in lines], [line.successor_item_no for line in lines],
        [ids.get(line.successor_item_no) if line.successor_item_no else None for line in lines])
    by_line = {line.line: ids[line.item_no] for line in lines}
    await save_pictures(conn, [(by_line[number], picture) for number, picture in made.items()])
    added = sum(1 for r in rows if r["added"])
    return ImportResult(added=added, updated=len(rows) - added, pictures=len(made))


async def save_pictures(conn: asyncpg.Connection, pictures: list[tuple[int, Picture]]) -> None:
    """Store the small versions and put their version on the product (the picture URL changes with it)."""
    await conn.executemany(
        """INSERT INTO product_picture (product_id, media_type, width, height, data, etag)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (product_id) DO UPDATE SET media_type = EXCLUDED.media_type, width = EXCLUDED.width,
               height = EXCLUDED.height, data = EXCLUDED.data, etag = EXCLUDED.etag, updated_at = now()""",
        [(pid, p.media_type, p.width, p.height, p.data, p.etag) for pid, p in pictures])
    await conn.executemany("UPDATE product SET picture_etag = $2 WHERE id = $1",
                           [(pid, p.etag) for pid, p in pictures])


def refusal_texts(refused: ImportRefused) -> tuple[str, list[tuple[int, str]]]:
    """The refusal in the current language: a summary and (line number, reason) per bad line."""
    from backend.i18n import gettext as _, ngettext

    if refused.problem is not None:
        return _(refused.problem.message) % refused.problem.values, []
    count = len(refused.errors)
    summary = ngettext("Nothing was imported: %(num)s line has an error.",
                       "Nothing was imported: %(num)s lines have errors.", count) % {"num": count}
    return summary, [(error.line, _(error.message) % error.values) for error in refused.errors]


def directory_pictures(directory) -> PictureSource:
    """Pictures named in the CSV, read from ``directory`` (by bare file name: no way out of it)."""
    from pathlib import Path

    from backend.catalog.pictures import MAX_SOURCE_BYTES

    root = Path(directory)

    def read(name: str) -> bytes | None:
        path = root / Path(name).name
        if not path.is_file():
            return None
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return b"\0" * (MAX_SOURCE_BYTES + 1)  # refused by size, unread
        return path.read_bytes()

    return read
