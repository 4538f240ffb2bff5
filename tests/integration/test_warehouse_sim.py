"""The warehouse simulator as a real process (`fsc warehouse-sim`) against a real HTTP receiver.

The receiver plays the app's webhook: it verifies each signature and records the events. Two
simulators run: a calm one (nothing goes wrong) and an eventful one (every attempt fails, every
order has a backordered item), both fast (0.1 s per step; slow enough that a withdrawal or a
backorder decision sent right away comes in time even on a busy machine).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec
import pytest

from backend.warehouse.client import Outcome, WarehouseClient
from backend.warehouse.protocol import Delivery, PickLine, PickList, decode_event
from backend.warehouse.signing import SignatureError, signature_headers, verify_headers
from tests.conftest import TEST_CPR_KEY, TEST_SECRET, TEST_WAREHOUSE_SECRET
from tests.e2e.conftest import free_port

SECRET = TEST_WAREHOUSE_SECRET.encode()
HAPPY = ["received", "picking", "packed", "handed_to_carrier", "out_for_delivery", "delivered"]
_order_ids = itertools.count(1000)


class Receiver:
    """A tiny signed-webhook receiver on a real socket that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.events: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    verify_headers(SECRET, dict(self.headers.items()), body)
                    event = decode_event(body)
                except (SignatureError, msgspec.MsgspecError):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.events.append(json.loads(body) | {"_type": type(event).__name__})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def for_order(self, order_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [event for event in self.events if event["order_id"] == order_id]


def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def start_simulator(receiver: Receiver, **rates: str) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, FSC_SECRET_KEY=TEST_SECRET, FSC_CPR_KEY=TEST_CPR_KEY,
               FSC_WAREHOUSE_SECRET=TEST_WAREHOUSE_SECRET, FSC_WAREHOUSE_SIM_PORT=str(port),
               FSC_WAREHOUSE_WEBHOOK_URL=f"http://127.0.0.1:{receiver.port}/api/v1/warehouse/events",
               FSC_WAREHOUSE_SIM_SPEED="0.1", FSC_WAREHOUSE_SIM_SEED="1", FSC_LOG_LEVEL="ERROR", **rates)
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "warehouse-sim"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, f"simulator exited with {process.returncode}"
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def calm_sim(receiver: Receiver) -> Iterator[str]:
    yield from start_simulator(receiver, FSC_WAREHOUSE_SIM_FAILURE_RATE="0", FSC_WAREHOUSE_SIM_BACKORDER_RATE="0")


@pytest.fixture(scope="module")
def eventful_sim(receiver: Receiver) -> Iterator[str]:
    yield from start_simulator(receiver, FSC_WAREHOUSE_SIM_FAILURE_RATE="1", FSC_WAREHOUSE_SIM_BACKORDER_RATE="1")


def pick_list(order_id: int) -> PickList:
    return PickList(
        order_id=order_id,
        reference=f"FB-{order_id:06d}",
        created_at=dt.datetime.now(dt.UTC),
        delivery=Delivery(recipient_name="Karen Jensen", address_lines=["Skovvej 12"], postcode="8000",
                          city="Aarhus C", leave_at_door=True),
        lines=[PickLine(item_no="SEN-1", hmi_no="12345", manufacturer="Coloplast", name="SenSura Mio Click",
                        packs=2, pack_size=30),
               PickLine(item_no="ESS-9", manufacturer="Coloplast", name="Brava adhesive remover", packs=1,
                        pack_size=12)],
    )


def types(events: list[dict[str, Any]], parcel_no: int = 1) -> list[str]:
    return [event["type"] for event in events if event.get("parcel_no", 1) == parcel_no]


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": "application/json", **(headers or {})})


async def test_signature_and_body_are_checked(calm_sim: str):
    body = msgspec.json.encode(pick_list(next(_order_ids)))
    unsigned = post(calm_sim + "/v1/pick-lists", body)
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    wrong = post(calm_sim + "/v1/pick-lists", body, signature_headers(b"x" * 40, body))
    assert wrong.status_code == 401 and "mismatch" in wrong.json()["detail"]
    stale = post(calm_sim + "/v1/pick-lists", body, signature_headers(SECRET, body, now=time.time() - 600))
    assert stale.status_code == 401 and "stale" in stale.json()["detail"]

    bad = json.loads(body)
    bad["lines"][0]["packs"] = 0
    bad_body = json.dumps(bad).encode()
    malformed = post(calm_sim + "/v1/pick-lists", bad_body, signature_headers(SECRET, bad_body))
    assert malformed.status_code == 422
    assert malformed.json()["errors"] == [{"field": "lines[0].packs", "message": "Expected `int` >= 1"}]
    lenient = json.dumps(json.loads(body) | {"order_id": "42"}).encode()  # strict: no "42" for 42
    as_text = post(calm_sim + "/v1/pick-lists", lenient, signature_headers(SECRET, lenient))
    assert as_text.status_code == 422 and as_text.json()["errors"][0]["field"] == "order_id"
    not_json = post(calm_sim + "/v1/withdrawals", b"{", signature_headers(SECRET, b"{"))
    assert not_json.status_code == 422 and not_json.json()["errors"][0]["field"] is None
    schema = httpx.get(calm_sim + "/schema/openapi.json").json()
    assert {"/v1/pick-lists", "/v1/withdrawals", "/v1/backorder-decisions"} <= set(schema["paths"])


async def test_a_pick_list_becomes_the_full_signed_lifecycle_once(calm_sim: str, receiver: Receiver):
    order_id = next(_order_ids)
    async with httpx.AsyncClient() as http:
        client = WarehouseClient(calm_sim, SECRET, http)
        first = await client.send_pick_list(pick_list(order_id))
        assert first.outcome is Outcome.ACCEPTED and first.status_code == 202
        again = await client.send_pick_list(pick_list(order_id))
        assert again.outcome is Outcome.ALREADY_ACCEPTED and again.acceptance == first.acceptance
        wait_for(lambda: "delivered" in types(receiver.for_order(order_id)))
        time.sleep(0.2)  # a second lifecycle would show up as duplicates by now
        events = receiver.for_order(order_id)
        assert types(events) == HAPPY
        assert len({event["event_id"] for event in events}) == len(events)
        handed = next(event for event in events if event["type"] == "handed_to_carrier")
        assert handed["tracking_url"].startswith("https://") and handed["carrier"]
        other = pick_list(order_id)
        conflict = await client.send_pick_list(msgspec.structs.replace(other, reference="FB-OTHER"))
        assert conflict.outcome is Outcome.REJECTED and conflict.status_code == 409
        late = await client.withdraw(order_id, "Cancelled by the citizen")
        assert late.outcome is Outcome.REJECTED and late.status_code == 409
        unknown = await client.withdraw(999_999, "Cancelled by the citizen")
        assert unknown.outcome is Outcome.REJECTED and unknown.status_code == 404
    for order, status in ((order_id, 409), (999_999, 404)):  # no backorder here; an unknown order
        decision = msgspec.json.encode({"order_id": order, "decision": "wait"})
        answer = post(calm_sim + "/v1/backorder-decisions", decision, signature_headers(SECRET, decision))
        assert answer.status_code == status


async def test_a_withdrawal_before_picking_stops_the_lifecycle(calm_sim: str, receiver: Receiver):
    order_id = next(_order_ids)
    async with httpx.AsyncClient() as http:
        client = WarehouseClient(calm_sim, SECRET, http)
        assert (await client.send_pick_list(pick_list(order_id))).outcome is Outcome.ACCEPTED
        withdrawn = await client.withdraw(order_id, "Cancelled by the citizen")
        assert withdrawn.outcome is Outcome.ACCEPTED and withdrawn.withdrawal is not None
        repeated = await client.withdraw(order_id, "Cancelled by the citizen")
        assert repeated.withdrawal == withdrawn.withdrawal
    time.sleep(0.8)  # long enough for the rest of the lifecycle
    assert types(receiver.for_order(order_id)) in ([], ["received"])


async def test_events_survive_the_app_being_down(calm_sim: str, receiver: Receiver):
    order_id = next(_order_ids)
    receiver.stop()
    try:
        async with httpx.AsyncClient() as http:
            result = await WarehouseClient(calm_sim, SECRET, http).send_pick_list(pick_list(order_id))
        assert result.outcome is Outcome.ACCEPTED
        # the whole lifecycle happens while nobody listens
        wait_for(lambda: httpx.get(calm_sim + "/healthz").json()["events_pending"] == len(HAPPY))
        time.sleep(0.3)
        assert receiver.for_order(order_id) == []
    finally:
        receiver.start()
    wait_for(lambda: len(receiver.for_order(order_id)) == len(HAPPY))
    assert types(receiver.for_order(order_id)) == HAPPY
    assert httpx.get(calm_sim + "/healthz").json()["events_pending"] == 0


async def test_failed_attempts_end_in_a_return(eventful_sim: str, receiver: Receiver):
    order_id = next(_order_ids)
    async with httpx.AsyncClient() as http:
        client = WarehouseClient(eventful_sim, SECRET, http)
        assert (await client.send_pick_list(pick_list(order_id))).outcome is Outcome.ACCEPTED
        wait_for(lambda: "returned" in types(receiver.for_order(order_id)))
    events = receiver.for_order(order_id)
    assert types(events) == ["received", "picking", "item_backordered", "packed", "handed_to_carrier",
                             "out_for_delivery", "delivery_failed", "out_for_delivery", "delivery_failed",
                             "returned"]
    assert [event.get("attempt") for event in events if event["type"] == "out_for_delivery"] == [1, 2]
    assert events[2]["item_no"] in ("SEN-1", "ESS-9") and dt.date.fromisoformat(events[2]["expected_date"])


async def test_split_after_a_backorder_sends_a_second_parcel(eventful_sim: str, receiver: Receiver):
    order_id = next(_order_ids)
    decision = msgspec.json.encode({"order_id": order_id, "decision": "split"})
    async with httpx.AsyncClient() as http:
        client = WarehouseClient(eventful_sim, SECRET, http)
        assert (await client.send_pick_list(pick_list(order_id))).outcome is Outcome.ACCEPTED
        wait_for(lambda: "item_backordered" in types(receiver.for_order(order_id)))
        for _ in range(2):  # a repeated decision is harmless
            answer = post(eventful_sim + "/v1/backorder-decisions", decision, signature_headers(SECRET, decision))
            assert answer.status_code == 200 and answer.json() == {"order_id": order_id, "decision": "split"}
        wait_for(lambda: types(receiver.for_order(order_id), 2)[-1:] == ["returned"])
        wait_for(lambda: types(receiver.for_order(order_id), 1)[-1:] == ["returned"])
    parcel_two = types(receiver.for_order(order_id), 2)
    assert parcel_two[:3] == ["picking", "packed", "handed_to_carrier"]
    assert len({event["event_id"] for event in receiver.for_order(order_id)}) == len(receiver.for_order(order_id))
    assert receiver.bad_signatures == 0
