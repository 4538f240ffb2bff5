"""Copy the front-end packages we serve from node_modules into pwa/static/vendor (git-ignored).

Only the files the pages use are copied: DKFDS's borger.dk theme CSS with the icons it refers to,
and htmx. The lockfile (package-lock.json) pins their versions. DKFDS's typeface, IBM Plex Sans,
is subset, unhinted and renamed "Faelles Sans" into pwa/static/fonts (git-ignored; backend/fonts.py:
~11 KB per weight instead of IBM's ~17 KB Latin-1 files or the 56-77 KB complete fonts), and the
stylesheet's @font-face rules and font stacks are rewritten to it.

DKFDS's stylesheet styles every component of the design system (215 KB); PurgeCSS keeps the rules
whose classes, elements and attributes occur in our templates, our scripts or our Python code (where
some class names are chosen, e.g. badge colours): ~26 KB, ~5 KB on the wire. A class used in a new
template is picked up the next time this runs (scripts/run and scripts/test always run it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from backend.fonts import FAMILY, FONTS, build_fonts, font_face_css, read_manifest
from backend.settings import REPO_ROOT

NODE_MODULES = REPO_ROOT / "node_modules"
VENDOR = REPO_ROOT / "pwa" / "static" / "vendor"

# (source under node_modules, destination under pwa/static/vendor)
FILES = (
    ("dkfds/dist/css/dkfds-borgerdk.min.css", "dkfds/css/dkfds-borgerdk.min.css"),
    ("dkfds/dist/img/logo-borgerdk.svg", "dkfds/img/logo-borgerdk.svg"),
    ("dkfds/dist/img/logo-placeholder.png", "dkfds/img/logo-placeholder.png"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
)
TREES = (
    # The icons DKFDS's CSS draws with (select chevron, checkbox tick, alert icons, …).
    ("dkfds/dist/img/svg-icons", "dkfds/img/svg-icons"),
)
# The stylesheet reduced to what we use, and where the names it is reduced to are found.
PURGED_STYLESHEET = "dkfds/css/dkfds-borgerdk.min.css"
CONTENT = ("pwa/templates/**/*.html", "pwa/static/js/*.js", "pwa/sw.js", "backend/**/*.py")


def build_assets(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR, fonts: Path = FONTS) -> list[str]:
    if not (node_modules / "dkfds").is_dir() or not (node_modules / "htmx.org").is_dir():
        raise SystemExit("fsc: error: node_modules is missing dkfds or htmx.org; run `npm ci` first")
    if vendor.exists():
        shutil.rmtree(vendor)
    done = []
    for source, target in FILES:
        (vendor / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / source, vendor / target)
        done.append(f"copied {source}")
    for source, target in TREES:
        shutil.copytree(node_modules / source, vendor / target)
        done.append(f"copied {source}/")
    done.append(purge_stylesheet(node_modules, vendor / PURGED_STYLESHEET))
    done.append(build_fonts(node_modules, vendor / PURGED_STYLESHEET, fonts))
    done.append(use_faelles_sans(vendor / PURGED_STYLESHEET, read_manifest(fonts)))
    return done


def use_faelles_sans(stylesheet: Path, manifest: dict) -> str:
    """Replace DKFDS's IBM Plex Sans faces (complete fonts, woff listed before woff2) with ours,
    and name our family where DKFDS names IBM Plex Sans."""
    css = stylesheet.read_text(encoding="utf-8")
    css, removed = re.subn(r"@font-face\{[^}]*font-family:\s*\"?IBM Plex Sans\"?;[^}]*\}", "", css)
    # The page is first drawn in the sized fallback; html.fonts-ready (pwa/static/css/app.css) names ours.
    css, renamed = re.subn(r"font-family:\s*\"?IBM Plex Sans\"?(?=[,;}])", f'font-family:"{FAMILY} fallback"', css)
    if not removed or not renamed:
        raise SystemExit(f"fsc: error: DKFDS's IBM Plex Sans rules not found in {stylesheet.name}")
    stylesheet.write_text(font_face_css(manifest) + "\n" + css, encoding="utf-8")
    return f"{stylesheet.name}: {removed} IBM Plex Sans faces replaced by {FAMILY}, {renamed} font stacks renamed"


def purge_stylesheet(node_modules: Path, stylesheet: Path) -> str:
    """Rewrite ``stylesheet`` in place without the rules none of our pages can use."""
    cli = node_modules / "purgecss" / "bin" / "purgecss.js"
    if not cli.is_file():
        raise SystemExit("fsc: error: node_modules is missing purgecss; run `npm ci` first")
    before = stylesheet.stat().st_size
    subprocess.run(["node", str(cli), "--css", str(stylesheet), "--content", *CONTENT,
                    "--output", str(stylesheet.parent)], cwd=REPO_ROOT, check=True)
    return f"purged {stylesheet.name}: {before // 1024} KB -> {stylesheet.stat().st_size // 1024} KB"
