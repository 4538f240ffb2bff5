"""Helpers for the rate-limit tests: requests from chosen client addresses, logins that may be refused."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import csrf_token

PEER_HEADER = b"x-test-peer"


def with_peer_addresses(app: Litestar) -> Litestar:
    """Let a test choose the connecting address (the TCP peer the server would see) per request
    with an ``X-Test-Peer`` header; the test transport otherwise calls every client "testclient"."""
    inner = app.asgi_handler

    async def handler(scope, receive, send):
        for name, value in scope.get("headers", ()):
            if name == PEER_HEADER:
                scope["client"] = (value.decode(), 50000)
        await inner(scope, receive, send)

    app.asgi_handler = handler
    return app


async def demo_login(client: AsyncTestClient, citizen_id: int, peer: str | None = None, **headers: str):
    """One demo login; the response (303 when let in)."""
    client.cookies.delete("fsc_session")
    extra = ({"x-test-peer": peer} if peer else {}) | headers
    return await client.post("/login/demo", data={"citizen_id": str(citizen_id), "_csrf_token": await csrf_token(client)},
                             headers=extra, follow_redirects=False)


async def written_by_logins(db) -> tuple[int, int]:
    return (await db.fetchval("SELECT count(*) FROM session"),
            await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'login'"))


def retry_after(response) -> int:
    value = int(response.headers["retry-after"])
    assert value >= 1
    return value
