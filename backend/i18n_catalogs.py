"""Keep the gettext catalogs in step with the source (``fsc i18n-update``) and check them (tests).

- messages.pot is extracted from backend/**.py and pwa/templates/**.html (i18n/babel.cfg);
- each language's messages.po is updated from it, keeping existing translations;
- English is the source language, so empty English entries are filled with the msgid itself;
  Danish entries must be translated by a person.
"""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from backend.i18n import I18N_DIR, LANGUAGES
from backend.settings import REPO_ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None, "NP_": (1, 2)}


def extract() -> Catalog:
    with (I18N_DIR / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="Fælles Bestilling", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        REPO_ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(language: str):
    return I18N_DIR / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def update_catalogs() -> list[str]:
    template = extract()
    with (I18N_DIR / "messages.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, no_location=True, sort_output=True)
    report = []
    for language in LANGUAGES:
        path = po_path(language)
        catalog = read_catalog(language) if path.exists() else Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        if language == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
                    message.flags.discard("fuzzy")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, no_location=True, sort_output=True, ignore_obsolete=True)
        missing = [m.id for m in catalog if m.id and not _translated(m)]
        report.append(f"{language}: {len([m for m in catalog if m.id])} messages, {len(missing)} untranslated")
    return report


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


def untranslated(language: str) -> list[str]:
    """msgids used in the source that the language's catalog lacks or leaves empty."""
    catalog = read_catalog(language)
    missing = []
    for message in extract():
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or not _translated(found):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
