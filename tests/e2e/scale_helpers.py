"""Clients for the multi-process tests: a bench citizen's one tap (bench/scale.sql gives each a known
session), a browser-like client for the demo login, and reading the order's receipt address."""

from __future__ import annotations

import re
import uuid
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from backend.auth.sessions import token_hash
from backend.web.csrf import csrf_secret, session_token
from tests.conftest import TEST_SECRET

RECEIPT = re.compile(r"^/orders/(\d+)$")


def bench_session(i: int) -> str:
    """The session cookie of the i-th bench citizen (1-based, bench/scale.sql)."""
    return f"bench-session-{i:08d}"


def tap_client(**kwargs) -> httpx.AsyncClient:
    """A client that keeps no cookies: each request says whose session it carries."""
    return httpx.AsyncClient(cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])), timeout=10,
                             follow_redirects=False, **kwargs)


async def tap(client: httpx.AsyncClient, base: str, citizen: int, key: uuid.UUID) -> httpx.Response:
    """The one-tap reorder as the home page's button posts it."""
    session = bench_session(citizen)
    token = session_token(csrf_secret(TEST_SECRET), token_hash(session))
    return await client.post(f"{base}/orders/reorder", headers={"Cookie": f"fsc_session={session}"},
                             data={"_csrf_token": token, "idempotency_key": str(key)})


def receipt_of(response: httpx.Response) -> int:
    """The order id of an accepted tap (303 to its receipt page)."""
    assert response.status_code == 303, (response.status_code, response.text[:300])
    found = RECEIPT.match(response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def page_token(html: str) -> str:
    found = re.search(r'"x-csrftoken": "([^"]*)"', html)
    assert found, html[:300]
    return found.group(1)
