"""One JSON log line per request (route template, status, duration, actor by kind and id only), the
request id in a response header and on the error page, and exceptions logged without their
message (a database error's message quotes row values)."""

from __future__ import annotations

import json
import logging
import re

import asyncpg
import pytest

from backend.logs import JsonFormatter, TextFormatter
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, login


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler = Captured()
    logger = logging.getLogger("fsc.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


async def test_each_request_is_one_json_line_with_its_route_template_and_actor(client, db, captured):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    order_id = await db.fetchval("SELECT id FROM order_ WHERE citizen_id = $1 LIMIT 1", citizen)
    response = await client.get(f"/orders/{order_id}")
    assert response.status_code == 200
    line = json.loads(captured.lines[-1])
    assert line["route"] == "/orders/{order_id}" and line["method"] == "GET" and line["status"] == 200
    assert line["actor_kind"] == "citizen" and line["actor_id"] == citizen
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["level"] == "INFO" and line["message"] == "request" and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    assert str(order_id) not in line["route"] and name not in "".join(captured.lines)


async def test_a_safe_incoming_request_id_is_kept_an_unsafe_one_replaced(client):
    kept = await client.get("/login", headers={"x-request-id": "lb-4f2a9c01-77"})
    assert kept.headers["x-request-id"] == "lb-4f2a9c01-77"
    for unsafe in ("short", "a" * 65, "bad id with spaces", "line\\nbreak-000", "æøå-123456"):
        replaced = await client.get("/login", headers={"x-request-id": unsafe.encode("utf-8")})
        assert re.fullmatch(r"[0-9a-f]{12}", replaced.headers["x-request-id"]), unsafe


async def test_the_error_page_shows_the_request_id_a_citizen_can_quote(client, captured):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    request_id = response.headers["x-request-id"]
    assert f'data-testid="request-id">{request_id}<' in response.text
    assert "oplys denne kode" in response.text
    line = json.loads(captured.lines[-1])
    assert line["status"] == 404 and line["route"] == "(no route)" and "no-such-page" not in captured.lines[-1]


async def test_an_exception_is_logged_by_class_and_code_never_by_its_message(db):
    await db.execute("CREATE TEMP TABLE leak (cpr text UNIQUE)")
    await db.execute("INSERT INTO leak VALUES ('0703521234')")
    try:
        await db.execute("INSERT INTO leak VALUES ('0703521234')")
    except asyncpg.UniqueViolationError as exc:
        assert "0703521234" in exc.detail  # the driver quotes the row …
        error = exc
    record = logging.LogRecord("fsc", logging.ERROR, __file__, 1, "failed: %s", (error,), None)
    record.exc_info = (type(error), error, error.__traceback__)
    for formatter in (JsonFormatter(), TextFormatter()):
        text = formatter.format(record)
        assert "0703521234" not in text and "duplicate key" not in text  # … the log does not
        assert "UniqueViolationError" in text and "sqlstate=23505" in text and "constraint_name=leak_cpr_key" in text
    assert json.loads(JsonFormatter().format(record))["stack"]
