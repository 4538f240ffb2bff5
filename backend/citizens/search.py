"""What an advisor typed into "Find the citizen", read as a name, a phone number or an order number (pure).

A CPR number is searched on its own form (POST, so it is never in a URL or a log line) through the
keyed hash (backend/citizens/cpr.py); typed into the address-bar search it is refused, not searched.
Names are folded exactly as the database's fsc_fold() folds them (migration 0013): lower case,
"ø" -> "o", "å" -> "a", "æ" -> "ae", accents dropped, so "Soren" and "Sore" find "Søren".
"""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from backend.citizens.cpr import birth_year, normalise_cpr

_FOLD = str.maketrans("ØÅÄÖÜÉÈÊËÁÀÂÍÌÎÓÒÔÚÙÛÝŸÇÑøåäöüéèêëáàâíìîóòôúùûýÿçñÆ",
                      "oaaoueeeeaaaiiiooouuuyycnoaaoueeeeaaaiiiooouuuyycnæ")
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"^[0-9 +\-#]+$")
MIN_LETTERS = 2
MAX_TERMS = 5
MAX_LENGTH = 100


class Search(msgspec.Struct, frozen=True):
    """A search to run: ``name`` (a tsquery of word prefixes), ``phone`` (8 digits), ``order`` (an id),
    or ``number`` (8 digits: a phone number or an order number)."""

    by: str
    value: str


def fold(text: str) -> str:
    return text.translate(_FOLD).lower().replace("æ", "ae")


def name_query(text: str) -> str | None:
    """'Søren Han' -> 'soren:* & han:*' (every word a prefix of a word of the name), or None."""
    terms = _WORD.findall(fold(text))[:MAX_TERMS]
    if sum(len(t) for t in terms) < MIN_LETTERS:
        return None
    return " & ".join(f"{term}:*" for term in terms)


def looks_like_cpr(text: str) -> bool:
    try:
        normalise_cpr(text.replace(" ", ""))
    except ValueError:
        return False
    return True


def parse_search(text: str) -> tuple[Search | None, str | None]:
    """(the search, None) or (None, error code): 'too_short', 'use_cpr_form', 'not_a_number'."""
    text = text.strip()[:MAX_LENGTH]
    if _NUMBER.match(text) and any(ch.isdigit() for ch in text):  # order numbers may be 1 digit long
        if looks_like_cpr(text):
            return None, "use_cpr_form"
        digits = re.sub(r"[^0-9]", "", text)
        if text.lstrip().startswith("+45") or (digits.startswith("0045") and len(digits) == 12):
            return (Search("phone", digits[-8:]), None) if len(digits) in (10, 12) else (None, "not_a_number")
        if len(digits) == 8:
            return Search("number", digits), None
        if 1 <= len(digits) <= 9 and not text.lstrip("#").startswith("0"):
            return Search("order", digits), None
        return None, "not_a_number"
    query = name_query(text)
    return (Search("name", query), None) if query else (None, "too_short")


def valid_cpr(text: str) -> str | None:
    """The 10 digits of a CPR number with a real date of birth, or None."""
    try:
        digits = normalise_cpr(text.replace(" ", ""))
        dt.date(birth_year(digits), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return None
    return digits
