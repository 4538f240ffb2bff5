"""The tender's product list as a CSV file: read and check every line (pure; no database).

The file is refused early, before any line is read, when it is too large, not UTF-8 or has the
wrong header. Otherwise every line is checked and every bad line is reported with its number
(the header is line 1, as in a spreadsheet) and a reason (a msgid with values, translated by
the caller); catalogue_import then writes all lines or none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

import msgspec

from backend.catalog.labels import AREA_LABELS, CATEGORY_LABELS, N_, UNIT_LABELS

MAX_FILE_BYTES = 5 * 1024 * 1024     # the national range is a few thousand lines, well under 1 MB
MAX_LINES = 20_000
HEADER = ("manufacturer", "item_no", "hmi_no", "name", "area", "category", "pack_size", "unit",
          "price", "valid_from", "valid_to", "successor_item_no", "picture")
REQUIRED = HEADER[:-1]  # the picture column may be left out
MAX_PRICE_KR = Decimal(10_000_000)
_PICTURE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(?i:jpe?g|png|webp)")


class FileProblem(ValueError):
    """The whole file is refused (msgid with values)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values


class LineError(msgspec.Struct, frozen=True):
    line: int
    message: str              # msgid
    values: dict[str, str] = {}


class ProductLine(msgspec.Struct, frozen=True):
    line: int
    manufacturer: str
    item_no: str
    hmi_no: str | None
    name: str
    area: str
    category: str
    pack_size: int
    unit: str
    price_oere: int
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_item_no: str | None
    picture: str | None


def decoded(raw: bytes) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise FileProblem(N_("The file is larger than %(size)s MB. Split it or remove what is not needed."),
                          size=MAX_FILE_BYTES // (1024 * 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(N_("The file is not saved as UTF-8. Save it again as \"CSV UTF-8\" and try again.")) from None
    if "\x00" in text:
        raise FileProblem(N_("The file is not a CSV text file."))
    return text


def _rows(text: str) -> tuple[csv.reader, list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    if tuple(header) not in (HEADER, REQUIRED):
        raise FileProblem(N_("The first line must name the columns: %(columns)s."), columns=", ".join(HEADER))
    return reader, header


def _price_oere(value: str) -> int | None:
    text = value.strip().replace(" ", "")
    if "," in text and "." in text:   # 1.234,50 (Danish thousands separator)
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0 or price >= MAX_PRICE_KR or price != price.quantize(Decimal("0.01")):
        return None
    return int(price * 100)


def _date(value: str) -> dt.date | None | str:
    """A date, None when empty, or "bad"."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) else "bad"
    except ValueError:
        return "bad"


def _check(number: int, cells: dict[str, str], errors: list[LineError]) -> ProductLine | None:
    before = len(errors)

    def bad(message: str, **values: object) -> None:
        errors.append(LineError(number, message, {k: str(v) for k, v in values.items()}))

    for column, limit in (("manufacturer", 100), ("item_no", 40), ("name", 200)):
        if not cells[column] or len(cells[column]) > limit:
            bad(N_("Fill in %(column)s (at most %(limit)s characters)."), column=column, limit=limit)
    hmi = cells["hmi_no"] or None
    if hmi is not None and not re.fullmatch(r"[0-9]{1,12}", hmi):
        bad(N_("The HMI number must be digits only."))
    if cells["area"] not in AREA_LABELS:
        bad(N_("Unknown product area \"%(value)s\". Use one of: %(known)s."), value=cells["area"],
            known=", ".join(AREA_LABELS))
    if cells["category"] not in CATEGORY_LABELS:
        bad(N_("Unknown category \"%(value)s\"."), value=cells["category"])
    if cells["unit"] not in UNIT_LABELS:
        bad(N_("Unknown unit \"%(value)s\". Use one of: %(known)s."), value=cells["unit"], known=", ".join(UNIT_LABELS))
    pack_size = int(cells["pack_size"]) if re.fullmatch(r"[0-9]{1,6}", cells["pack_size"]) else 0
    if not 1 <= pack_size <= 100_000:
        bad(N_("The pack size must be a whole number from 1 to 100000."))
    price = _price_oere(cells["price"])
    if price is None:
        bad(N_("The price must be an amount in kroner with at most two decimals, e.g. 895,00."))
    valid_from, valid_to = _date(cells["valid_from"]), _date(cells["valid_to"])
    for column, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value == "bad":
            bad(N_("%(column)s must be a date written as YYYY-MM-DD."), column=column)
    if isinstance(valid_from, dt.date) and isinstance(valid_to, dt.date) and valid_to < valid_from:
        bad(N_("valid_to is before valid_from."))
    successor = cells["successor_item_no"] or None
    if successor is not None and successor == cells["item_no"]:
        bad(N_("A product cannot be its own successor."))
    picture = cells.get("picture") or None
    if picture is not None and not _PICTURE_NAME.fullmatch(picture):
        bad(N_("The picture must be a file name ending in .jpg, .png or .webp (no folders)."))
    if len(errors) > before:
        return None
    return ProductLine(number, cells["manufacturer"], cells["item_no"], hmi, cells["name"], cells["area"],
                       cells["category"], pack_size, cells["unit"], price, valid_from, valid_to, successor, picture)


def read_lines(raw: bytes) -> tuple[list[ProductLine], list[LineError]]:
    """Every good line, and every bad line's number and reason (FileProblem: refused as a whole)."""
    reader, header = _rows(decoded(raw))
    lines: list[ProductLine] = []
    errors: list[LineError] = []
    first_seen: dict[str, int] = {}
    hmi_seen: dict[str, int] = {}
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (e.g. at the end) are not products
            if number > MAX_LINES + 1:
                raise FileProblem(N_("The file has more than %(max)s lines."), max=MAX_LINES)
            if len(cells) != len(header):
                errors.append(LineError(number, N_("The line has %(found)s columns; %(expected)s are needed."),
                                        {"found": str(len(cells)), "expected": str(len(header))}))
                continue
            line = _check(number, {name: cell.strip() for name, cell in zip(header, cells)}, errors)
            item = cells[1].strip()
            if item in first_seen:
                errors.append(LineError(number, N_("Item number %(item)s is also on line %(other)s."),
                                        {"item": item, "other": str(first_seen[item])}))
                continue
            first_seen[item] = number
            if line is not None and line.hmi_no is not None:
                if line.hmi_no in hmi_seen:
                    errors.append(LineError(number, N_("HMI number %(hmi)s is also on line %(other)s."),
                                            {"hmi": line.hmi_no, "other": str(hmi_seen[line.hmi_no])}))
                    continue
                hmi_seen[line.hmi_no] = number
            if line is not None:
                lines.append(line)
    except csv.Error:
        errors.append(LineError(reader.line_num, N_("The line cannot be read as CSV (check the quotation marks).")))
    if not lines and not errors:
        raise FileProblem(N_("The file has no products."))
    return lines, errors
