"""The service worker's caches in a real Chromium: a worker that takes over deletes every cache
but its own (an older worker's static cache kept every old version of every asset)."""

from __future__ import annotations

import asyncio
import re
import urllib.request

from tests.e2e.test_citizen_home import PHONE, SERVICE_WORKER_IN_CONTROL

OLD_CACHES = """async () => {
    for (const name of ["static-v1", "shell-0123456789ab", "static-0123456789ab"]) {
        const cache = await caches.open(name);
        await cache.put("/static/css/app.css?v=0123456789", new Response("an old version"));
    }
    return caches.keys();
}"""


async def test_the_worker_keeps_only_its_current_caches(live_server, browser):
    with urllib.request.urlopen(live_server + "/sw.js") as response:
        version = re.search(r'const VERSION = "(\w+)";', response.read().decode()).group(1)
    context = await browser.new_context(viewport=PHONE, locale="da-DK")
    page = await context.new_page()
    # A document of the app's origin that does not register the worker: the phone as an older
    # worker left it.
    await page.goto(live_server + "/healthz")
    assert sorted(await page.evaluate(OLD_CACHES)) == ["shell-0123456789ab", "static-0123456789ab", "static-v1"]

    await page.evaluate("navigator.serviceWorker.register('/sw.js', {scope: '/'})")
    await asyncio.wait_for(page.evaluate(SERVICE_WORKER_IN_CONTROL), 20)  # activated, and it has claimed this page
    await page.goto(live_server + "/login")  # fetches static assets through the worker
    await page.get_by_role("heading", level=1, name="Log ind").wait_for()
    names = await page.evaluate("caches.keys()")
    assert f"shell-{version}" in names
    assert set(names) <= {f"shell-{version}", f"static-{version}"}
    # The typeface is in the shell (the offline pages use it; app.js turns it on at once when the
    # worker controls the page), and a controlled page uses it from the start.
    shell = await page.evaluate(f"caches.open('shell-{version}').then(c => c.keys()).then(k => k.map(r => r.url))")
    assert len([url for url in shell if "/static/fonts/FaellesSans-" in url and "-core." in url]) == 4, shell
    assert await page.evaluate("document.documentElement.classList.contains('fonts-ready')")
    await context.close()
