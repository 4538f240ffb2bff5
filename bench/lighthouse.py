"""Lighthouse mobile Largest Contentful Paint of /login (signed out) and the signed-in home page.

Runs Lighthouse (npm; not a dependency of the app: `npx` fetches it into npm's cache the first
time, or set LIGHTHOUSE to a lighthouse binary) with its default mobile preset (simulated slow 4G
and a 4× slower CPU) against Debian's Chromium, `BENCH_LIGHTHOUSE_RUNS` times per page (default 3),
and reports each run's LCP, FCP and the render-blocking resources Lighthouse flags. The home page
is measured signed in: the session cookie goes along as an extra header on every request.

Used by bench/first_visit.py (one command for bytes and LCP); alone: python bench/lighthouse.py
(serves the demo data like bench/first_visit.py). The last line printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LIGHTHOUSE_VERSION = "12.8.2"
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
BUDGET_LCP_MS = 1000
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))


def lighthouse_command() -> list[str]:
    if os.environ.get("LIGHTHOUSE"):
        return [os.environ["LIGHTHOUSE"]]
    if not shutil.which("npx"):
        raise SystemExit("bench: npx is missing (install Node.js and npm) or set LIGHTHOUSE")
    return ["npx", "--yes", f"lighthouse@{LIGHTHOUSE_VERSION}"]


def run_once(url: str, cookie: str | None = None) -> dict:
    """One Lighthouse performance run of ``url``: LCP, FCP, total blocking time (ms) and the
    render-blocking resources with the time Lighthouse estimates they cost."""
    with tempfile.TemporaryDirectory(prefix="fsclh") as tmp:
        report = Path(tmp) / "report.json"
        command = [*lighthouse_command(), url, "--quiet", "--only-categories=performance",
                   "--output=json", f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}"]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        env = dict(os.environ, CHROME_PATH=CHROME_PATH, TMPDIR=tmp)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not report.is_file():
            raise RuntimeError(f"lighthouse failed ({done.returncode}): {done.stderr[-2000:]}")
        audits = json.loads(report.read_text())["audits"]
    if audits["largest-contentful-paint"].get("numericValue") is None:
        raise RuntimeError(f"lighthouse measured no LCP for {url}: {audits['largest-contentful-paint']}")
    blocking = audits["render-blocking-resources"].get("details", {}).get("items", [])
    # Lighthouse simulates the slow phone from this unthrottled run: every request (but low-priority
    # images) that had finished when the page observedly painted its largest content is counted on
    # the way to it. Fonts that land before that paint (a busy machine paints late) cost ~0.4 s.
    observed_lcp = audits["metrics"]["details"]["items"][0]["observedLargestContentfulPaint"]
    before_paint = [item for item in audits["network-requests"]["details"]["items"]
                    if item.get("networkEndTime", 1e9) <= observed_lcp and item["resourceType"] != "Document"]
    return {
        "observed_lcp_ms": round(observed_lcp),
        "fonts_before_paint": sum(item["resourceType"] == "Font" for item in before_paint),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "render_blocking": [{"url": item["url"].split("?")[0].rsplit("/", 1)[-1], "ms": round(item["wastedMs"])}
                            for item in blocking],
    }


def measure(base: str, cookie: str, runs: int = RUNS) -> dict:
    """``runs`` Lighthouse runs of /login (no cookie) and / (signed in with ``cookie``)."""
    pages = {"login": (base + "/login", None), "home": (base + "/", cookie)}
    result: dict = {"lighthouse_runs": runs, "budget_lcp_ms": BUDGET_LCP_MS}
    for name, (url, page_cookie) in pages.items():
        results = [run_once(url, page_cookie) for _ in range(runs)]
        result[f"{name}_lcp_ms"] = [r["lcp_ms"] for r in results]
        result[f"{name}_fcp_ms"] = [r["fcp_ms"] for r in results]
        result[f"{name}_render_blocking"] = results[-1]["render_blocking"]
        result[f"{name}_observed_lcp_ms"] = [r["observed_lcp_ms"] for r in results]
        result[f"{name}_fonts_before_paint"] = [r["fonts_before_paint"] for r in results]
    return result


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.first_visit import served_demo, session_cookie

    with served_demo() as base:
        print(json.dumps(measure(base, session_cookie(base))))


if __name__ == "__main__":
    main()
