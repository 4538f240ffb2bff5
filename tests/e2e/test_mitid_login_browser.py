"""A citizen logs in with "MitID" in a real browser: our login page, the provider's page (the same
oidc-provider-mock process and made-up people that `fsc dev` runs), and back on "Mine produkter".
A person whose level is too low is refused with the reason. Served by granian on a real socket."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from backend.auth import dev_provider
from tests.e2e.conftest import free_port, serve_app, stop


@pytest.fixture
def dev_oidc_provider() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(dev_provider.command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/.well-known/openid-configuration", timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "provider did not start"
                time.sleep(0.1)
        yield url
    finally:
        stop(process)


@pytest.fixture
def mitid_server(db_url: str, dev_oidc_provider: str) -> Iterator[str]:
    with serve_app(db_url, FSC_OIDC_ISSUER=dev_oidc_provider, FSC_OIDC_CLIENT_ID="fsc-e2e",
                   FSC_OIDC_CLIENT_SECRET="e2e") as url:
        yield url


async def test_citizen_logs_in_through_the_providers_page(browser, mitid_server, dev_oidc_provider) -> None:
    context = await browser.new_context(locale="da-DK")
    page = await context.new_page()
    await page.goto(mitid_server + "/login")
    await page.get_by_role("button", name="Log ind med MitID").click()
    await page.wait_for_url(dev_oidc_provider + "/oauth2/authorize*")
    await page.get_by_role("button", name="karen-jensen-substantial").click()
    await page.get_by_role("heading", level=1, name="Mine produkter").wait_for()
    assert page.url == mitid_server + "/"
    assert "Karen Jensen" in await page.content()

    # Log out: our session ends, and the browser goes on to the provider's end-session page (the
    # CSP's form-action lets the logout form's redirect go there), then back to our login page.
    await page.get_by_text("Menu").click()
    await page.get_by_role("button", name="Log ud").click()
    await page.wait_for_url(dev_oidc_provider + "/oauth2/end_session*")
    await page.get_by_role("button", name="End session").click()
    await page.wait_for_url(mitid_server + "/login")
    await page.goto(mitid_server + "/")
    await page.get_by_role("heading", level=1, name="Log ind").wait_for()
    await context.close()


async def test_too_low_level_in_the_browser_says_why(browser, mitid_server) -> None:
    context = await browser.new_context(locale="da-DK")
    page = await context.new_page()
    await page.goto(mitid_server + "/login")
    await page.get_by_role("button", name="Log ind med MitID").click()
    await page.get_by_role("button", name="karen-jensen-low").click()
    await page.get_by_role("heading", level=1, name="Dit log ind er ikke sikkert nok").wait_for()
    assert "betydelig" in await page.content()
    await context.close()
