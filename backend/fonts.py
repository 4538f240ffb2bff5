"""Faelles Sans: DKFDS's IBM Plex Sans, subset, unhinted and renamed, built by `fsc build-assets`.

A phone's first visit downloads three weights of the design system's typeface (400 for text, 600
for labels and buttons, 700 for headings). IBM's own Latin-1 files are ~17 KB each; without the
TrueType hinting (which phones do not use: they render unhinted at their pixel densities) and
with only the characters our pages use they are ~11 KB. The SIL Open Font License allows a
modified font only under another name than its Reserved Font Name "Plex", so the subsets are
renamed "Faelles Sans" (name table and CSS family); the glyphs, metrics and kerning are IBM
Plex Sans's own, and the licence travels with them (OFL.txt, NOTICE.txt).

Each face comes in two files with the same family, weight and style, split by `unicode-range`:
- core: ASCII and Latin-1 in full (names with accents), and every other character our templates,
  catalogs, scripts and stylesheets (`content:`) contain, e.g. dashes, quotes, arrows, the tick;
- extended: every other character IBM Plex Sans has (Latin Extended-A/B for names such as
  "Łukasz" or "Şahin", more symbols). A browser downloads it only for a page that needs it.

Files are named by their content hash (cached for a year as immutable) and listed in
fonts.json, which the stylesheet (`fsc build-assets`) and the service worker read. A build
whose inputs are unchanged keeps the files (subsetting all 16 takes ~20 s).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from functools import cache
from pathlib import Path

from backend.settings import REPO_ROOT

FAMILY = "Faelles Sans"
FILE_PREFIX = "FaellesSans"
SOURCE_DIR = "dkfds/dist/fonts/IBMPlexSans/complete/ttf"
LICENSE = "dkfds/dist/fonts/IBMPlexSans/complete/ttf/license.txt"
FONTS = REPO_ROOT / "pwa" / "static" / "fonts"
MANIFEST = "fonts.json"
BUILD_VERSION = "1"  # the fonts' version (name ID 3)
# (weight, style, IBM's file name, style name): the faces DKFDS declares.
FACES = (
    (400, "normal", "Regular", "Regular"), (400, "italic", "Italic", "Italic"),
    (500, "normal", "Medium", "Medium"), (500, "italic", "MediumItalic", "Medium Italic"),
    (600, "normal", "SemiBold", "SemiBold"), (600, "italic", "SemiBoldItalic", "SemiBold Italic"),
    (700, "normal", "Bold", "Bold"), (700, "italic", "BoldItalic", "Bold Italic"),
)
# The faces a page shows before anything else (body text, labels and buttons, headings).
ABOVE_THE_FOLD = ((400, "normal"), (600, "normal"), (700, "normal"))
# Until a face has arrived (font-display: swap), text is drawn in a local Arial-like font scaled to
# Plex's widths and line metrics, so that it wraps and sits where it will be: nothing moves when
# the font comes (no layout shift; a heading does not jump into view and count as a late largest
# paint). Measured with fontTools: the average advance over the Danish catalog's characters,
# Plex Regular 0.4568 em vs Arial/Liberation Sans Regular 0.4513, Plex Bold 0.4802 vs Arial Bold
# 0.4849; Plex's ascent 1.025 em, descent 0.275, no line gap.
FALLBACKS = (
    (400, 'local("Arial"), local("ArialMT"), local("Liberation Sans"), local("LiberationSans"), '
          'local("Roboto"), local("Roboto-Regular"), local("Helvetica Neue"), local("Helvetica")', 1.012),
    (700, 'local("Arial Bold"), local("Arial-BoldMT"), local("Liberation Sans Bold"), local("LiberationSans-Bold"), '
          'local("Roboto Bold"), local("Roboto-Bold"), local("Helvetica Neue Bold"), local("Helvetica Bold")', 0.990),
)
PLEX_ASCENT, PLEX_DESCENT = 1.025, 0.275
# Typographic characters a text may need although no template has them yet (quotes, dashes, €, …).
TYPOGRAPHY = "‘’‚“”„–—…•‹›€™−←→✓"
# Where the characters of our texts are found.
TEXT_SOURCES = ("pwa/templates/**/*.html", "i18n/*/LC_MESSAGES/*.po", "pwa/static/js/*.js", "pwa/static/css/*.css")
# Kerning is the design's spacing; the f-ligatures (fi, fl) are on by default in browsers. The
# rest of Plex's features (alternates, fractions, small figures) are not used by DKFDS.
LAYOUT_FEATURES = ["kern", "liga"]


def text_characters(root: Path = REPO_ROOT, extra_css: tuple[Path, ...] = ()) -> set[int]:
    """Every character in our templates, catalogs, scripts and stylesheets, ASCII and Latin-1."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | {ord(c) for c in TYPOGRAPHY}
    for pattern in TEXT_SOURCES:
        for file in sorted(root.glob(pattern)):
            chars.update(ord(c) for c in file.read_text(encoding="utf-8"))
    for css in extra_css:
        chars.update(ord(c) for c in css.read_text(encoding="utf-8"))
    chars.update(escaped_css_characters(root, extra_css))
    return {c for c in chars if c >= 0x20}


def escaped_css_characters(root: Path, extra_css: tuple[Path, ...]) -> set[int]:
    """Characters written as CSS escapes in `content:` (e.g. "\\2190", the back link's arrow)."""
    found = set()
    for css in [*root.glob("pwa/static/css/*.css"), *extra_css]:
        for value in re.findall(r'content:\s*"([^"]*)"', css.read_text(encoding="utf-8")):
            found.update(int(code, 16) for code in re.findall(r"\\([0-9a-fA-F]{1,6})", value))
    return found


def unicode_range(codepoints: set[int]) -> str:
    """CSS unicode-range for exactly these code points, as runs: U+20-7E, U+A0-FF, …"""
    runs, ordered = [], sorted(codepoints)
    start = prev = ordered[0]
    for code in [*ordered[1:], None]:
        if code is not None and code == prev + 1:
            prev = code
            continue
        runs.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        if code is not None:
            start = prev = code
    return ", ".join(runs)


def rename(font, style_name: str) -> None:
    """Name the subset Faelles Sans; keep IBM's copyright and the licence (OFL §2, §3).
    Every other name (IBM's family, version, trademark and designer records) is dropped."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID not in (0, 13, 14):
            name.removeNames(nameID=record.nameID)
    ribbi = style_name in ("Regular", "Italic", "Bold", "Bold Italic")  # the four legacy style names
    weight_word = style_name.replace(" Italic", "").replace("Italic", "Regular")
    postscript = f"{FILE_PREFIX}-{style_name.replace(' ', '')}"
    for name_id, value in (
        (1, FAMILY if ribbi else f"{FAMILY} {weight_word}"),
        (2, style_name if ribbi else ("Italic" if "Italic" in style_name else "Regular")),
        (3, f"{postscript};{BUILD_VERSION}"), (4, f"{FAMILY} {style_name}"), (6, postscript),
        (16, FAMILY), (17, style_name),
        (10, "A subset of IBM Plex Sans without hinting, renamed as the SIL Open Font License 1.1 "
             "requires of a modified version."),
    ):
        name.setName(value, name_id, 3, 1, 0x409)


def subset_face(source: Path, codepoints: set[int], style_name: str) -> tuple[bytes, set[int]]:
    """WOFF2 bytes of ``source`` cut down to ``codepoints`` (those it has), and the code points
    it covers (its unicode-range)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    options.name_IDs = ["*"]
    options.drop_tables += ["DSIG", "meta"]
    font = TTFont(source)
    covered = codepoints & set(font.getBestCmap())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=covered)
    subsetter.subset(font)
    rename(font, style_name)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), covered


def build_fonts(node_modules: Path, purged_css: Path, fonts: Path = FONTS) -> str:
    """Write the core and extended file of each face, OFL.txt, NOTICE.txt and fonts.json into
    ``fonts`` (unless its inputs are unchanged); returns a line for the build log."""
    from fontTools.ttLib import TTFont

    core = text_characters(extra_css=(purged_css,))
    sources = {name: node_modules / SOURCE_DIR / f"IBMPlexSans-{name}.ttf" for _w, _s, name, _n in FACES}
    key = hashlib.sha256(json.dumps([sorted(core), LAYOUT_FEATURES]).encode())
    key.update(Path(__file__).read_bytes())  # a change to how the fonts are made makes them again
    for name in sorted(sources):
        key.update(sources[name].read_bytes())
    stamp = key.hexdigest()[:16]
    manifest_file = fonts / MANIFEST
    if manifest_file.is_file() and json.loads(manifest_file.read_text()).get("stamp") == stamp:
        return f"fonts unchanged ({len(FACES)} faces of {FAMILY})"
    fonts.mkdir(parents=True, exist_ok=True)
    for old in fonts.glob(f"{FILE_PREFIX}-*.woff2"):
        old.unlink()
    faces = []
    for weight, style, name, style_name in FACES:
        everything = {code for code in TTFont(sources[name]).getBestCmap() if code >= 0x20}  # no NUL, CR
        face = {"weight": weight, "style": style}
        for part, wanted in (("core", core), ("extended", everything - core)):
            data, covered = subset_face(sources[name], wanted, style_name)
            file_name = f"{FILE_PREFIX}-{name}-{part}.{hashlib.sha256(data).hexdigest()[:10]}.woff2"
            (fonts / file_name).write_bytes(data)
            face[part] = {"file": file_name, "unicode_range": unicode_range(covered), "bytes": len(data)}
        faces.append(face)
    (fonts / "OFL.txt").write_bytes((node_modules / LICENSE).read_bytes())
    (fonts / "NOTICE.txt").write_text(
        f"{FAMILY} is a modified version of IBM Plex Sans (Copyright 2018 IBM Corp.), taken from the npm\n"
        "package dkfds: subset to the characters this app uses, TrueType hinting removed. As the SIL Open\n"
        "Font License 1.1 (OFL.txt) requires of a modified version, it does not use the Reserved Font\n"
        f'Name "Plex". Built by `fsc build-assets` (backend/fonts.py).\n', encoding="utf-8")
    manifest_file.write_text(json.dumps({"stamp": stamp, "family": FAMILY, "faces": faces}, indent=1))
    core_kb = sum(face["core"]["bytes"] for face in faces if (face["weight"], face["style"]) in ABOVE_THE_FOLD)
    return f"subset {len(FACES)} faces of IBM Plex Sans as {FAMILY} (the three first-screen faces: {core_kb // 1024} KB)"


def font_face_css(manifest: dict) -> str:
    """@font-face rules for every face and part, and for the sized fallback ("Faelles Sans fallback")."""
    rules = [
        f'@font-face{{font-family:"{FAMILY} fallback";font-weight:{weight};src:{local};size-adjust:{scale:.1%};'
        f'ascent-override:{PLEX_ASCENT / scale:.1%};descent-override:{PLEX_DESCENT / scale:.1%};line-gap-override:0%}}'
        for weight, local, scale in FALLBACKS]
    for face in manifest["faces"]:
        for part in ("core", "extended"):
            rules.append(
                f'@font-face{{font-family:"{FAMILY}";font-style:{face["style"]};font-weight:{face["weight"]};'
                f'font-display:swap;src:url({font_url(face[part]["file"])}) format("woff2");'
                f'unicode-range:{face[part]["unicode_range"]}}}')
    return "\n".join(rules)


def read_manifest(fonts: Path = FONTS) -> dict:
    return json.loads((fonts / MANIFEST).read_text(encoding="utf-8"))


def font_url(file_name: str) -> str:
    return f"/static/fonts/{file_name}"


@cache
def precache_urls() -> tuple[str, ...]:
    """The core files of the upright faces (what citizens' pages use; italic is on a staff page
    only): the service worker stores them at install, for the offline pages and later visits."""
    return tuple(font_url(face["core"]["file"]) for face in read_manifest()["faces"] if face["style"] == "normal")
