"""Bad input never answers 500 (issue 13, item 6): each case is a 4xx with a translated page (or
"signed out"), and nothing is written."""

from __future__ import annotations

import logging

import pytest

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from backend.warehouse.signing import signature_headers
from tests.conftest import TEST_WAREHOUSE_SECRET, citizen_id_by_cpr, csrf_token, login

BIG = "99999999999999999999"          # beyond int64
HUGE = "9" * 5000                      # beyond Python's 4,300-digit int() limit
INT64_MAX = 2**63 - 1
TABLES = ("order_", "temporary_address", "callback", "delivery_preference", "audit_log", "push_subscription",
          "warehouse_event", "webhook_signature", "session")
DANISH_400 = "Der var noget galt med forespørgslen"


async def row_counts(db) -> dict[str, int]:
    return {table: await db.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


@pytest.fixture
async def citizen(client, db):
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))


async def post_form(client, path: str, fields: dict | list):
    token = await csrf_token(client)
    data = [*fields, ("_csrf_token", token)] if isinstance(fields, list) else {**fields, "_csrf_token": token}
    return await client.post(path, data=data, headers={"accept-language": "da"}, follow_redirects=False)


def refused(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:500])


@pytest.mark.parametrize("path", [f"/orders/{BIG}", f"/orders/{HUGE}", f"/orders/{INT64_MAX + 1}", "/orders/0",
                                  "/orders/-1", f"/orders/{BIG}/cancel", f"/callbacks/{BIG}/move",
                                  f"/delivery/temporary/{BIG}/delete"])
async def test_ids_out_of_range_are_400_or_404(client, citizen, path):
    response = await client.get(path, headers={"accept-language": "da"})
    refused(response, 400, 404)
    assert "Siden findes ikke" in response.text or DANISH_400 in response.text


async def test_an_id_at_the_int64_bound_is_simply_not_found(client, citizen):
    refused(await client.get(f"/orders/{INT64_MAX}"), 404)


async def test_posting_to_an_out_of_range_id_writes_nothing(client, db, citizen):
    before = await row_counts(db)
    refused(await post_form(client, f"/orders/{BIG}/cancel", {}), 400, 404)
    refused(await post_form(client, f"/callbacks/{HUGE}/cancel", {}), 400, 404)
    assert await row_counts(db) == before


@pytest.mark.parametrize("postcode", ["８０００", "٨٠٠٠", "80²0", "8" * 5000])
async def test_unicode_or_endless_digits_are_no_postcode(client, db, citizen, postcode):
    before = await row_counts(db)
    response = await post_form(client, "/delivery/temporary", {
        "street": "Testvej 1", "postcode": postcode, "city": "Aarhus", "valid_from": "2030-01-01",
        "valid_to": "2030-01-10"})
    refused(response, 422)
    assert "postnummer" in response.text
    assert await row_counts(db) == before


@pytest.mark.parametrize("value", ["١", "²", "８", HUGE, BIG])
async def test_unicode_or_endless_digits_in_number_fields(client, db, citizen, value):
    before = await row_counts(db)
    refused(await post_form(client, "/delivery/", {"method": "pickup_point", "pickup_point_id": value}), 422)
    refused(await post_form(client, "/orders/new/check", {f"packs-{value}": "1"}), 200, 400, 422)
    refused(await post_form(client, "/orders/new/check", {"packs-1": value}), 200, 400, 422)
    assert await row_counts(db) == before


@pytest.mark.parametrize("value", ["١", "²", HUGE, BIG])
async def test_unicode_or_endless_digits_at_the_demo_logins(client, db, value):
    before = await row_counts(db)
    refused(await post_form(client, "/login/demo", {"citizen_id": value}), 400, 422)
    refused(await post_form(client, "/fsc/login/demo", {"staff_id": value}), 400, 422)
    assert await row_counts(db) == before


@pytest.mark.parametrize("fields", [
    {"method": "home", "driver_note": "ring\x00på"},
    {"street": "Test\x00vej 1", "postcode": "8000", "city": "Aarhus", "valid_from": "2030-01-01",
     "valid_to": "2030-01-10"},
])
async def test_nul_bytes_in_notes_and_addresses_are_refused(client, db, citizen, fields):
    before = await row_counts(db)
    path = "/delivery/temporary" if "street" in fields else "/delivery/"
    response = await post_form(client, path, fields)
    refused(response, 400)
    assert "tegn, vi ikke kan gemme" in response.text
    assert await row_counts(db) == before


async def test_nul_in_a_multipart_form_is_refused(client, db, citizen):
    before = await row_counts(db)
    response = await client.post("/delivery/", files={"driver_note": (None, "ring\x00på"), "method": (None, "home"),
                                                      "_csrf_token": (None, await csrf_token(client))},
                                 headers={"accept-language": "da"}, follow_redirects=False)
    refused(response, 400)
    assert "tegn, vi ikke kan gemme" in response.text
    assert await row_counts(db) == before


async def raw_get(app, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict[bytes, bytes]]:
    """A GET straight into the ASGI app with these exact header bytes (the test client's transport
    re-encodes non-ASCII header values; a real server hands them over as sent)."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                      "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                      "headers": [(b"host", b"testserver.local"), *headers], "client": ("127.0.0.1", 1),
                      "server": ("testserver.local", 80), "state": {}}, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    return start["status"], dict(start.get("headers", []))


@pytest.mark.parametrize("path", ["/", "/orders/", "/login", "/fsc/", "/fsc/login"])
async def test_a_non_ascii_session_cookie_means_signed_out(db_url, settings, path):
    app = create_app(settings, database_url=db_url)
    async with app.lifespan():
        for encoding in ("latin-1", "utf-8"):  # letters that str.isalnum() accepts, as one or two bytes each
            bogus = "æøåÆØÅ" * 5
            cookie = f"fsc_session={bogus}; fsc_staff_session={bogus}; fsc_csrf={bogus}".encode(encoding)
            status, headers = await raw_get(app, path, [(b"cookie", cookie)])
            assert status in (200, 303), (path, encoding, status)
            if status == 303:
                assert headers[b"location"].startswith((b"/login", b"/fsc/login"))


async def test_a_non_ascii_csrf_token_is_403(client, db):
    before = await row_counts(db)
    bogus = "ÆØÅæøå" * 8
    response = await client.post("/language", data={"language": "en", "_csrf_token": bogus},
                                 headers=[(b"cookie", f"fsc_csrf={bogus}".encode("latin-1")),
                                          (b"accept-language", b"da")], follow_redirects=False)
    refused(response, 403)
    assert "Ingen adgang" in response.text
    assert await row_counts(db) == before


@pytest.mark.parametrize("path", ["/static/app.css%00.png", "/static/%00", "/static/css/%00/x.css"])
async def test_nul_in_a_static_path_is_404(client, path):
    refused(await client.get(path), 404)


async def signed_post(client, body: bytes):
    headers = {"Content-Type": "application/json", **signature_headers(TEST_WAREHOUSE_SECRET.encode(), body)}
    return await client.post("/api/v1/warehouse/events", content=body, headers=headers)


@pytest.mark.parametrize("body", [
    b'{"type": "shipped", "event_id": "e-\xff\xfe", "order_id": 1, "occurred_at": "2026-11-29T10:00:00Z"}',
    b'{"type": "shipped\xc3", "event_id": "e1", "order_id": 1, "occurred_at": "2026-11-29T10:00:00Z"}',
    b'{"type": "shipped", "event_id": "e\\u0000", "order_id": 1, "occurred_at": "2026-11-29T10:00:00Z"}',
    b'{"type": "shipped", "event_id": "e1", "order_id": ' + BIG.encode() + b', "occurred_at": "2026-11-29T10:00:00Z"}',
    b"[" * 10_000 + b"]" * 10_000,
    b'{"type": "shipped", "event_id": "e1", "order_id": 1, "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
])
async def test_bad_signed_webhook_bodies_are_4xx_and_write_nothing(client, db, body):
    before = await row_counts(db)
    response = await signed_post(client, body)
    refused(response, 400, 404, 413, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await row_counts(db) == before


async def test_deeply_nested_json_to_a_citizen_route_is_400(client, db, citizen):
    before = await row_counts(db)
    body = b'{"endpoint": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = await client.post("/notifications/subscriptions", content=body, headers={
        "content-type": "application/json", "x-csrftoken": await csrf_token(client)})
    refused(response, 400, 422)
    assert await row_counts(db) == before


async def test_a_huge_form_is_refused_before_it_is_parsed(client, db):
    before = await row_counts(db)
    body = b"&".join(b"f%d=x" % i for i in range(600_000))
    response = await client.post("/language", content=body, headers={
        "content-type": "application/x-www-form-urlencoded", "accept-language": "da"})
    refused(response, 413)
    assert "Formularen er for stor" in response.text
    assert await row_counts(db) == before


async def test_too_many_small_fields_are_refused(client, db):
    body = b"&".join(b"f=" for _ in range(2_000))
    response = await client.post("/language", content=body, headers={
        "content-type": "application/x-www-form-urlencoded", "accept-language": "da"})
    refused(response, 400)
    assert "Formularen har for mange felter" in response.text


async def test_paths_in_log_lines_are_escaped(client, caplog, monkeypatch):
    from backend.web import static

    async def broken(_request, _path):
        raise RuntimeError("boom")

    monkeypatch.setattr(static, "_asset_response", broken)
    with caplog.at_level(logging.INFO):
        refused(await client.get("/static/x%0a2026-11-29 INFO forged line"), 500)
    messages = [record.getMessage() for record in caplog.records if "forged" in record.getMessage()]
    assert messages and all("\n" not in message for message in messages)
    assert any("\\n2026-11-29 INFO forged" in message for message in messages)


@pytest.mark.parametrize("query", [f"/callbacks/?booked={HUGE}", f"/callbacks/?booked={BIG}", "/callbacks/?booked=١",
                                   f"/callbacks/new?day={HUGE}", "/callbacks/new?day=٢٠٢٦-١١-٣٠",
                                   "/callbacks/new?day=2026-11-30%00", "/login?next=%00", "/login?next=/%0a/x",
                                   "/delivery?saved=١", f"/orders/new?x={HUGE}"])
async def test_odd_query_strings_are_no_server_error(client, citizen, query):
    response = await client.get(query, follow_redirects=False)
    assert response.status_code < 500, (response.status_code, response.text[:300])
