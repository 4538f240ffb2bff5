"""Copy the front-end packages we serve from node_modules into pwa/static/vendor (git-ignored).

Only the files the pages use are copied: DKFDS's borger.dk theme CSS with its woff2/woff fonts,
and htmx. The lockfile (package-lock.json) pins their versions.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from backend.settings import REPO_ROOT

NODE_MODULES = REPO_ROOT / "node_modules"
VENDOR = REPO_ROOT / "pwa" / "static" / "vendor"

# (source under node_modules, destination under pwa/static/vendor)
FILES = (
    ("dkfds/dist/css/dkfds-borgerdk.min.css", "dkfds/css/dkfds-borgerdk.min.css"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
)
TREES = (
    ("dkfds/dist/fonts/IBMPlexSans/complete/woff2", "dkfds/fonts/IBMPlexSans/complete/woff2"),
    ("dkfds/dist/fonts/IBMPlexSans/complete/woff", "dkfds/fonts/IBMPlexSans/complete/woff"),
)


def build_assets(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[str]:
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
    return done
