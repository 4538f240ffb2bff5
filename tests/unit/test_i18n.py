"""Every UI text has a translation in both catalogs; formatting follows the language."""

import datetime as dt

import pytest

from backend import i18n
from backend.i18n_catalogs import untranslated


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_msgid_is_translated(language):
    missing = untranslated(language)
    assert missing == [], f"untranslated in {language}: {missing} (run `fsc i18n-update` and translate)"


def test_translation_and_formatting_follow_the_current_language():
    token = i18n.current_language.set("da")
    try:
        assert i18n.gettext("My products") == "Mine produkter"
        assert i18n.format_date(dt.date(2026, 12, 24)) == "24. december 2026"
        assert i18n.format_number(1234) == "1.234"
    finally:
        i18n.current_language.reset(token)
    token = i18n.current_language.set("en")
    try:
        assert i18n.gettext("My products") == "My products"
        assert i18n.format_date(dt.date(2026, 12, 24)) == "December 24, 2026"
        assert i18n.format_number(1234) == "1,234"
    finally:
        i18n.current_language.reset(token)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-GB,en;q=0.9", "en"), ("de,da;q=0.5", "da"), ("fr", "da"), ("", "da"), ("da;q=0.1,en;q=0.8", "en")],
)
def test_accept_language(header, expected):
    assert i18n.pick_language(None, accept_language=header) == expected


def test_explicit_choice_wins_over_header():
    assert i18n.pick_language("en", accept_language="da") == "en"
    assert i18n.pick_language("xx", accept_language="en") == "en"
