"""Grants from a CSV file: the same commands as the API, one per line, all or nothing.

The file is UTF-8 (with or without the byte order mark Excel writes), separated by semicolons
(Danish Excel) or commas, with this header in any order (see ``COLUMNS``). ``action`` is create
(or empty), change or end; a change takes quantity_per_period and/or valid_to, an end valid_to.
Dates are YYYY-MM-DD (DD-MM-YYYY is taken too). A file with any bad line writes nothing, and the
report names every bad line with its number and reasons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import asyncpg

from backend.catalog.labels import N_
from backend.i18n import gettext as _
from backend.intake.apply import Actor, Outcome
from backend.intake.messages import reason_text
from backend.intake.models import ACTIONS, CHANGE, CREATE, END, Line
from backend.intake.plan import Authority
from backend.intake.service import run_batch

COLUMNS = ("action", "reference", "cpr", "name", "street", "postcode", "city", "municipality_code", "phone",
           "stoma_since", "hmi_no", "manufacturer", "item_no", "area", "quantity_per_period", "period_days",
           "valid_from", "valid_to")
_DANISH_DATE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")

FILE_EMPTY = N_("The file is empty. Choose a CSV file with a header line and at least one grant.")
FILE_NO_LINES = N_("The file has a header but no grants.")
FILE_TOO_LARGE = N_("The file is too large (at most %(max)s MB). Split it into smaller files.")
FILE_ENCODING = N_("The file is not in UTF-8. In Excel, save it as \"CSV UTF-8 (comma delimited)\" and try again.")
FILE_HEADER = N_("The header line is wrong. Missing columns: %(missing)s. Unknown columns: %(unknown)s. "
                 "The header must name these columns: %(expected)s.")
FIELD_COUNT = N_("The line has %(found)s fields; the header has %(expected)s.")


@dataclass
class ImportReport:
    """What an import did: a problem with the whole file, or the bad lines, or the counts."""

    file_error: str = ""                                     # translated, when the file itself is refused
    bad_lines: list[tuple[int, list[str]]] = field(default_factory=list)  # (line number, translated reasons)
    outcome: Outcome | None = None
    lines: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is not None


class FileRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def too_large_message(max_bytes: int) -> str:
    return _(FILE_TOO_LARGE) % {"max": f"{max_bytes / 1_000_000:g}"}


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without BOM; anything else is refused with a clear reason."""
    if not data.strip():
        raise FileRefused(_(FILE_EMPTY))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_(FILE_ENCODING))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_(FILE_ENCODING)) from None
    if "\x00" in text:  # UTF-16 without a byte order mark, or a binary file
        raise FileRefused(_(FILE_ENCODING))
    return text


def _date(line: Line, name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        if match := _DANISH_DATE.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        line.error(name, "bad_date")
        return None


def _number(line: Line, name: str, text: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,9}", text):
        line.error(name, "bad_number")
        return None
    return int(text)


def line_from_row(number: int, row: dict[str, str]) -> Line:
    """One CSV row as a grant command (errors of form recorded on it)."""
    action = (row["action"] or CREATE).lower()
    line = Line(number, action if action in ACTIONS else CREATE, row["reference"])
    if action not in ACTIONS:
        line.error("action", "bad_action")
    line.quantity_per_period = _number(line, "quantity_per_period", row["quantity_per_period"])
    valid_to = _date(line, "valid_to", row["valid_to"])
    if line.action in (CHANGE, END):
        line.valid_to, line.set_valid_to = valid_to, bool(row["valid_to"]) or line.action == END
        return line
    line.cpr, line.name, line.street, line.postcode, line.city = (row[k] for k in ("cpr", "name", "street",
                                                                                  "postcode", "city"))
    line.phone, line.hmi_no, line.manufacturer, line.item_no = (row[k] or None for k in ("phone", "hmi_no",
                                                                                         "manufacturer", "item_no"))
    line.area = row["area"] or None
    line.municipality_code = _number(line, "municipality_code", row["municipality_code"])
    line.period_days = _number(line, "period_days", row["period_days"])
    line.stoma_since = _date(line, "stoma_since", row["stoma_since"])
    line.valid_from = _date(line, "valid_from", row["valid_from"])
    line.valid_to = valid_to
    return line


def parse(text: str) -> tuple[list[Line], list[tuple[int, list[str]]]]:
    """The file's lines as commands, and the lines that could not even be read as rows."""
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    header = [name.strip().lower() for name in next(reader, [])]
    missing, unknown = [c for c in COLUMNS if c not in header], [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise FileRefused(_(FILE_HEADER) % {"missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-",
                                            "expected": ";".join(COLUMNS)})
    lines, unreadable = [], []
    start = reader.line_num + 1
    for row in reader:
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines (Excel leaves some at the end)
        if len(row) != len(header):
            unreadable.append((number, [_(FIELD_COUNT) % {"found": len(row), "expected": len(header)}]))
            continue
        lines.append(line_from_row(number, {name: cell.strip() for name, cell in zip(header, row)}))
    if not lines and not unreadable:
        raise FileRefused(_(FILE_NO_LINES))
    return lines, unreadable


def _reasons(line: Line) -> list[str]:
    return [f"{field_name}: {reason_text(code, values)}" for field_name, code, values in line.errors]


async def import_grants(conn: asyncpg.Connection, issuer: Authority, data: bytes, *, cpr_key: str, actor: Actor,
                        max_bytes: int) -> ImportReport:
    """Import a whole file for ``issuer`` in one transaction, or nothing (the report says why)."""
    if len(data) > max_bytes:
        return ImportReport(file_error=too_large_message(max_bytes))
    try:
        lines, unreadable = parse(decode(data))
    except FileRefused as refused:
        return ImportReport(file_error=refused.message)
    plan, outcome = await run_batch(conn, issuer, lines, cpr_key=cpr_key, actor=actor, write=not unreadable)
    bad = sorted(unreadable + [(line.number, _reasons(line)) for line in plan.bad_lines])
    return ImportReport(bad_lines=bad, outcome=None if bad else outcome, lines=len(lines) + len(unreadable))
