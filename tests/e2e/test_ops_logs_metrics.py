"""What the operator sees of the two-by-two stack on Debian's PostgreSQL server: JSON log lines with
no health data in them after a full flow, and Prometheus metrics on the operator's listener only."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

import httpx

from backend.db.pool import connect
from backend.seed.demo import DEMO_CITIZENS, MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.e2e.outage_stack import wait_until
from tests.e2e.scale_helpers import page_token, receipt_of, tap, tap_client
from tests.integration.callback_helpers import booking_form, free_slot

NOTE = "Basispladen lækker"  # booking_form's note: a citizen's own words about their stoma


async def full_flow(stack) -> None:
    """Login, home, one-tap reorder, a callback booking (web1/web2 alternating), then the staff view."""
    web1, web2 = stack.url("web1"), stack.url("web2")
    conn = await connect(stack.db_url)
    try:
        citizen = await citizen_id_by_cpr(conn, MAIN_DEMO_CPR)
        slot = await free_slot(conn, day_index=5, slot_index=3)
        staff_id = await conn.fetchval("SELECT id FROM staff WHERE is_demo AND active ORDER BY id LIMIT 1")
    finally:
        await conn.close()
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as browser:
        login = await browser.get(web1 + "/login")
        done = await browser.post(web2 + "/login/demo", data={"citizen_id": str(citizen), "_csrf_token": page_token(login.text)})
        assert done.status_code == 303
        home = await browser.get(web1 + "/")
        assert home.status_code == 200
        key = re.search(r'name="idempotency_key" value="([^"]+)"', home.text)
        reorder = await browser.post(web2 + "/orders/reorder", data={"_csrf_token": page_token(home.text),
                                                                     "idempotency_key": key.group(1) if key else ""})
        assert reorder.status_code in (303, 409, 422), reorder.status_code  # placed, or refused kindly
        form_page = await browser.get(web1 + "/callbacks/new")
        booked = await browser.post(web2 + "/callbacks", data=booking_form(slot, page_token(form_page.text)))
        assert booked.status_code == 303, booked.text[:500]
        callback_id = int(booked.headers["location"].rsplit("=", 1)[1])

        staff_login = await browser.get(web2 + "/fsc/login")
        done = await browser.post(web1 + "/fsc/login/demo", data={"staff_id": str(staff_id),
                                                                   "_csrf_token": page_token(staff_login.text)})
        assert done.status_code == 303
        queue = await browser.get(web2 + "/fsc/queue")
        assert queue.status_code == 200
        call = await browser.get(f"{web1}/fsc/callbacks/{callback_id}?reason=callback")  # not claimed: a reason first
        assert call.status_code == 200 and "Karen" in call.text  # the staff page shows her; the log must not
        assert (await browser.get(web2 + "/no-such-page")).status_code == 404


async def test_a_full_flow_leaves_no_health_data_in_any_process_log(scaled):
    await full_flow(scaled)
    conn = await connect(scaled.db_url)
    try:
        products = [row["name"] for row in await conn.fetch("SELECT DISTINCT name FROM product")]
    finally:
        await conn.close()
    secrets = {NOTE, "28 14 63 07", *products}
    for person in DEMO_CITIZENS:
        secrets |= {person.cpr, f"{person.cpr[:6]}-{person.cpr[6:]}", person.name, person.street,
                    person.street.split(",")[0], *person.name.split()}
    logs = scaled.all_logs()
    lines = [line for line in logs.splitlines() if line.strip()]
    requests = [json.loads(line) for line in lines if '"message":"request"' in line]
    assert {r["route"] for r in requests} >= {"/", "/orders/reorder", "/callbacks", "/fsc/callbacks/{callback_id}"}
    for line in lines:  # every line of every process is one JSON object
        json.loads(line)
    found = sorted(secret for secret in secrets if len(secret) >= 4 and secret.lower() in logs.lower())
    assert found == [], found


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{key}="{val}"' in line for key, val in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_on_the_operators_listener_and_not_on_the_public_one(scaled, citizens):
    async with tap_client() as client:  # an order: the warehouse's events reach web2's webhook
        receipt_of(await tap(client, scaled.url("web1"), *citizens.take(1), uuid.uuid4()))
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(3):
            assert (await client.get(scaled.url("web1") + "/login")).status_code == 200
        assert (await client.get(scaled.url("web1") + "/metrics")).status_code == 404  # the public listener
    web = scrape(scaled.metrics_ports["web1"])
    assert value(web, "fsc_http_request_duration_seconds_count", method="GET", route="/login", status="200") >= 3
    assert value(web, "fsc_http_request_duration_seconds_bucket", route="/login", le="+Inf") >= 3
    assert value(web, "fsc_db_pool_acquire_wait_seconds_count") is not None
    await wait_until(lambda: value(scrape(scaled.metrics_ports["web1"]), "fsc_db_pool_connections", state="max"),
                     15, "the pool sampled")
    # The demo data and the flow above book callbacks; the worker samples the database every 10 s.
    await wait_until(lambda: (value(scrape(scaled.metrics_ports["worker1"]), "fsc_callbacks_waiting") or 0) >= 1,
                     15, "the worker's database figures")
    worker = scrape(scaled.metrics_ports["worker1"])
    assert value(worker, "fsc_warehouse_handoff_lag_seconds") is not None
    await wait_until(lambda: (value(scrape(scaled.metrics_ports["web2"]), "fsc_warehouse_events_total",
                                    outcome="accepted", reason="applied") or 0) >= 1, 15, "the webhook's events counted")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{scaled.ports['web1']}/metrics", timeout=2)
    except urllib.error.HTTPError as refused:
        assert refused.code == 404
