"""The simulator's outbox: in order per order, retries until delivered, permanent 4xx given up."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from backend.warehouse.protocol import ReceivedEvent, decode_event
from backend.warehouse.signing import verify_headers
from backend.warehouse.sim_outbox import EventOutbox

SECRET = b"outbox-secret-0123456789abcdefghijklmnopqrs"
AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def event(order_id: int, n: int) -> ReceivedEvent:
    return ReceivedEvent(event_id=f"e-{order_id}-{n}", order_id=order_id, occurred_at=AT)


async def drain(outbox: EventOutbox) -> None:
    for _ in range(500):
        if not outbox.pending:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("outbox did not drain")


async def test_retries_until_delivered_in_order_and_re_signs_each_attempt():
    answers = iter([503, 500, 429, 204, 200, 202])
    seen: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        verify_headers(SECRET, request.headers, request.content, now=float(request.headers["x-fsc-timestamp"]))
        seen.append((decode_event(request.content).event_id, request.headers["x-fsc-signature"]))
        return httpx.Response(next(answers), headers={"Retry-After": "0"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        outbox = EventOutbox(http, "http://app.test/events", [SECRET], first_backoff_s=0.01)
        for n in range(3):
            outbox.submit(event(7, n))
        await drain(outbox)
    assert [event_id for event_id, _sig in seen] == ["e-7-0"] * 4 + ["e-7-1", "e-7-2"]
    assert len({signature for _id, signature in seen[:4]}) == 4  # a fresh signature per attempt
    assert outbox.delivered == 3 and outbox.rejected == []


async def test_connection_errors_are_retried_and_a_permanent_refusal_is_kept_aside():
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise httpx.ConnectError("refused")
        return httpx.Response(404 if decode_event(request.content).event_id == "e-8-0" else 204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        outbox = EventOutbox(http, "http://app.test/events", [SECRET], first_backoff_s=0.01)
        outbox.submit(event(8, 0))
        outbox.submit(event(8, 1))
        await drain(outbox)
    assert outbox.rejected == [("e-8-0", 404)] and outbox.delivered == 1


async def test_orders_do_not_wait_for_each_other():
    release = asyncio.Event()
    delivered: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        received = decode_event(request.content)
        if received.order_id == 1:
            await release.wait()
        delivered.append(received.event_id)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        outbox = EventOutbox(http, "http://app.test/events", [SECRET], first_backoff_s=0.01)
        outbox.submit(event(1, 0))
        outbox.submit(event(2, 0))
        for _ in range(100):
            if delivered:
                break
            await asyncio.sleep(0.01)
        assert delivered == ["e-2-0"] and outbox.pending == 1
        release.set()
        await drain(outbox)
        await outbox.aclose()
    assert delivered == ["e-2-0", "e-1-0"]
