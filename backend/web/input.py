"""Reading numbers and text from requests safely.

``str.isdigit()`` and the regex ``\\d`` accept any Unicode digit ("²", "١", "８"), and ``int()``
turns many of them into numbers or fails on them; ``int()`` also refuses more than 4,300 digits;
PostgreSQL refuses integers beyond its column types and NUL characters in text. Each of these
used to end as a 500. User input is therefore read with these helpers: ASCII digits only, a
bounded length, within the column's range.
"""

from __future__ import annotations

import re
from typing import Annotated

from litestar.params import Parameter

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_ASCII_INT = re.compile(r"-?[0-9]{1,19}", re.ASCII)

PathId = Annotated[int, Parameter(ge=1, le=INT64_MAX)]
"""A path id of a bigint row: anything else is a 400 before the handler runs."""
SmallPathId = Annotated[int, Parameter(ge=1, le=INT32_MAX)]
"""A path id of an integer (int4) row, such as staff or pickup_point."""


def ascii_digits(text: str, length: int) -> bool:
    """Exactly ``length`` ASCII digits (a postcode, a phone number)."""
    return len(text) == length and text.isascii() and text.isdigit()


def ascii_int(text: object, low: int = 0, high: int = INT64_MAX) -> int | None:
    """The whole number in ``text`` (ASCII digits, an optional minus) if it lies in [low, high], else None."""
    if not isinstance(text, str) or not _ASCII_INT.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t",
                                                                       0x5C: "\\\\"}


def loggable(text: str, limit: int = 300) -> str:
    """``text`` for one log line: control characters escaped (a "%0a" in a path cannot start a
    forged log line), other non-printable characters as \\u escapes, cut to ``limit`` characters."""
    text = text[:limit]
    escaped = text.translate(_CONTROL)
    if not escaped.isprintable():
        escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return escaped
