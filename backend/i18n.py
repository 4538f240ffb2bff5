"""Translations: Babel gettext catalogs under ``i18n/``, a ContextVar holding the request's locale.

Catalogs are read from the ``.po`` files at start-up (no compiled ``.mo`` files in git or on disk).
msgids are English; ``da`` is the default language.
"""

from __future__ import annotations

import datetime as dt
import io
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_skeleton as _format_skeleton
from babel.dates import format_time as _format_time
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
TIMEZONE = "Europe/Copenhagen"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> Translations:
    """The compiled catalog for a language (built in memory from its .po file, once per process)."""
    po_path = I18N_DIR / language / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current_language.get()).pgettext(context, message)


_ = gettext


def pick_language(*candidates: str | None, accept_language: str | None = None, default: str = DEFAULT_LANGUAGE) -> str:
    """First supported language among explicit choices, then the Accept-Language header."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    if accept_language:
        weighted = []
        for part in accept_language.split(","):
            tag, _sep, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            weighted.append((quality, tag.strip().lower()[:2]))
        for _quality, lang in sorted(weighted, key=lambda item: -item[0]):
            if lang in LANGUAGES:
                return lang
    return default


# Babel's formatting is slow and its results never change: pages format the same few dates and
# small numbers over and over, so results are memoised per language.
@lru_cache(maxsize=4096)
def _date(value: dt.date, fmt: str, language: str) -> str:
    return _format_date(value, format=fmt, locale=language)


@lru_cache(maxsize=4096)
def _number(value: int | float, language: str) -> str:
    return format_decimal(value, locale=language)


def format_date(value: dt.date, fmt: str = "long") -> str:
    return _date(value, fmt, current_language.get())


def format_datetime(value: dt.datetime, fmt: str = "medium") -> str:
    return _format_datetime(value, format=fmt, tzinfo=TIMEZONE, locale=current_language.get())


def format_time(value: dt.datetime, fmt: str = "short") -> str:
    """Time of day in Danish local time, e.g. 08.30 (da) or 8:30 AM (en)."""
    return _format_time(value, format=fmt, tzinfo=get_timezone(TIMEZONE), locale=current_language.get())


def format_day(value: dt.date | dt.datetime) -> str:
    """Weekday and date without the year, e.g. "man. 2. marts" (da) or "Mon, Mar 2" (en)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(get_timezone(TIMEZONE)).date()
    return _format_skeleton("MMMMEEEEd", value, locale=current_language.get())


def format_number(value: int | float) -> str:
    return _number(value, current_language.get())


def format_money(oere: int) -> str:
    return format_currency(oere / 100, "DKK", locale=current_language.get())


@cache
def language_name(language: str) -> str:
    """A language's name in that language itself (for the language switch)."""
    return Locale.parse(language).get_display_name(language).capitalize()
