"""WarehouseClient: signed requests, and every kind of answer sorted into the four outcomes."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from backend.warehouse.client import Outcome, WarehouseClient, retry_after_seconds
from backend.warehouse.protocol import Delivery, PickLine, PickList, Withdrawal, decode
from backend.warehouse.signing import verify_headers

SECRET = b"client-secret-0123456789abcdefghijklmnopqrs"
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PICK_LIST = PickList(
    order_id=5, reference="FB-000005", created_at=NOW,
    delivery=Delivery(recipient_name="Ole Hansen", address_lines=["Havnegade 3"], postcode="5000", city="Odense C"),
    lines=[PickLine(item_no="A1", manufacturer="Hollister", name="Moderma Flex", packs=2, pack_size=10)],
)
ACCEPTANCE = {"order_id": 5, "warehouse_ref": "WH-5", "accepted_at": "2026-11-23T09:00:01Z"}


def client_answering(status: int, json: object = None, headers: dict[str, str] | None = None,
                     seen: list[httpx.Request] | None = None) -> WarehouseClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=json, headers=headers)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return WarehouseClient("http://warehouse.test/", [SECRET], http)


async def test_pick_list_is_signed_and_posted_as_json():
    seen: list[httpx.Request] = []
    result = await client_answering(202, ACCEPTANCE, seen=seen).send_pick_list(PICK_LIST)
    assert result.outcome is Outcome.ACCEPTED and result.done
    assert result.acceptance is not None and result.acceptance.warehouse_ref == "WH-5"
    request = seen[0]
    assert str(request.url) == "http://warehouse.test/v1/pick-lists"
    assert request.headers["content-type"] == "application/json"
    verify_headers(SECRET, request.headers, request.content)
    assert decode(request.content, PickList) == PICK_LIST


async def test_a_repeat_is_already_accepted():
    result = await client_answering(200, ACCEPTANCE).send_pick_list(PICK_LIST)
    assert result.outcome is Outcome.ALREADY_ACCEPTED and result.done


async def test_withdrawal():
    seen: list[httpx.Request] = []
    answer = {"order_id": 5, "withdrawn_at": "2026-11-23T09:05:00Z"}
    result = await client_answering(200, answer, seen=seen).withdraw(5, "Cancelled by the citizen")
    assert result.outcome is Outcome.ACCEPTED and result.withdrawal is not None
    assert str(seen[0].url).endswith("/v1/withdrawals")
    assert decode(seen[0].content, Withdrawal) == Withdrawal(order_id=5, reason="Cancelled by the citizen")
    too_late = await client_answering(409, {"title": "Conflict", "status": 409, "detail": "picking"}).withdraw(5, "x")
    assert too_late.outcome is Outcome.REJECTED and "picking" in too_late.detail


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, Outcome.REJECTED), (401, Outcome.REJECTED), (404, Outcome.REJECTED), (409, Outcome.REJECTED),
     (422, Outcome.REJECTED), (408, Outcome.RETRY_LATER), (429, Outcome.RETRY_LATER),
     (500, Outcome.RETRY_LATER), (502, Outcome.RETRY_LATER), (503, Outcome.RETRY_LATER),
     (302, Outcome.REJECTED)],
)
async def test_status_classification(status, outcome):
    problem = {"title": "Malformed body", "status": status, "errors": [{"field": "lines[0].packs", "message": "bad"}]}
    result = await client_answering(status, problem).send_pick_list(PICK_LIST)
    assert result.outcome is outcome and result.status_code == status and not result.done
    assert str(status) in result.detail


async def test_problem_field_errors_reach_the_detail():
    problem = {"title": "Malformed body", "status": 422, "errors": [{"field": "lines[0].packs", "message": "bad"}]}
    result = await client_answering(422, problem).send_pick_list(PICK_LIST)
    assert "lines[0].packs: bad" in result.detail


async def test_retry_after_is_honoured():
    result = await client_answering(429, {}, headers={"Retry-After": "120"}).send_pick_list(PICK_LIST)
    assert result.outcome is Outcome.RETRY_LATER and result.retry_after_s == 120.0


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
async def test_no_answer_means_retry_later(error):
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    client = WarehouseClient("http://warehouse.test", SECRET, httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    result = await client.send_pick_list(PICK_LIST)
    assert result.outcome is Outcome.RETRY_LATER and result.status_code is None


async def test_an_unreadable_acceptance_is_retried():
    result = await client_answering(202, {"surprise": True}).send_pick_list(PICK_LIST)
    assert result.outcome is Outcome.RETRY_LATER


def test_retry_after_parsing():
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("Mon, 23 Nov 2026 09:01:00 GMT", now=now) == 60.0
    assert retry_after_seconds("Mon, 23 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
