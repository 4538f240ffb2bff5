"""Faelles Sans (backend/fonts.py): what `fsc build-assets` made of DKFDS's IBM Plex Sans."""

from __future__ import annotations

import re

from fontTools.ttLib import TTFont

from backend.fonts import FAMILY, FONTS, read_manifest, text_characters
from backend.web.templating import STATIC_DIR


def _font(file_name: str) -> TTFont:
    return TTFont(FONTS / file_name)


def test_the_subsets_are_renamed_and_carry_the_licence():
    """The SIL OFL's Reserved Font Name "Plex" is not the name of our modified font; IBM's
    copyright and the licence stay with it."""
    manifest = read_manifest()
    assert len(manifest["faces"]) == 8
    for face in manifest["faces"]:
        for part in ("core", "extended"):
            name = _font(face[part]["file"])["name"]
            for name_id in (1, 3, 4, 6, 16, 17):
                value = str(name.getName(name_id, 3, 1, 0x409))
                assert "plex" not in value.lower(), (face[part]["file"], name_id, value)
            assert str(name.getName(16, 3, 1, 0x409)) == FAMILY
            assert "IBM Corp" in str(name.getName(0, 3, 1, 0x409))
            assert "Open Font License" in str(name.getName(13, 3, 1, 0x409))
    assert "SIL OPEN FONT LICENSE" in (FONTS / "OFL.txt").read_text().upper()
    assert '"Plex"' in (FONTS / "NOTICE.txt").read_text()


def test_the_core_files_have_every_character_of_our_texts_and_no_hinting():
    manifest = read_manifest()
    wanted = text_characters()
    regular = next(face for face in manifest["faces"] if face["weight"] == 400 and face["style"] == "normal")
    core = _font(regular["core"]["file"])
    cmap = set(core.getBestCmap())
    plex_has = wanted & (cmap | set(_font(regular["extended"]["file"]).getBestCmap()))
    assert plex_has <= cmap  # nothing our pages say needs the extended file
    # ASCII and Latin-1 in full (names with accents), the back link's arrow (a CSS escape), the tick.
    assert set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) <= cmap
    assert {ord("←"), ord("✓"), ord("–"), ord("…"), ord("€")} <= cmap
    assert not {"fpgm", "prep", "cvt "} & set(core.keys())  # TrueType hinting removed
    assert "kern" in {record.FeatureTag for record in core["GPOS"].table.FeatureList.FeatureRecord}
    assert regular["core"]["bytes"] < 12_500  # IBM's own Latin-1 file: ~17 KB


def test_names_beyond_latin1_are_drawn_by_the_extended_file():
    """"Łukasz Şahin": the same typeface, downloaded only for a page that needs it."""
    manifest = read_manifest()
    regular = next(face for face in manifest["faces"] if face["weight"] == 400 and face["style"] == "normal")
    extended = set(_font(regular["extended"]["file"]).getBestCmap())
    assert {ord("Ł"), ord("Ş"), ord("ő"), ord("ž")} <= extended
    assert not extended & set(_font(regular["core"]["file"]).getBestCmap())
    css = (STATIC_DIR / "vendor/dkfds/css/dkfds-borgerdk.min.css").read_text(encoding="utf-8")
    rule = re.search(r"@font-face\{[^}]*" + re.escape(regular["extended"]["file"]) + r"[^}]*\}", css).group(0)
    assert "U+100-17F" in rule and "font-weight:400" in rule and "font-style:normal" in rule
    # DKFDS's own faces (complete fonts, woff before woff2) are gone; its font stack names ours.
    assert "IBMPlexSans" not in css
    assert f'html{{font-family:"{FAMILY} fallback","system-ui"' in css  # first drawn in the sized fallback
