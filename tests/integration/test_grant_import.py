"""CSV import of grants: all or nothing, every bad line named with its number and a translated
reason; wrong header, wrong encoding, empty and too large files refused clearly (CLI and page)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from backend import i18n
from backend.intake.apply import Actor
from backend.intake.cli_import import run_import
from backend.intake.csv_import import import_grants
from backend.intake.service import authority_by_code
from tests.conftest import TEST_CPR_KEY, csrf_token, make_settings
from tests.integration.csv_helpers import csv_bytes, grant_row
from tests.integration.intake_helpers import counts
from tests.integration.test_staff import staff_id, staff_login

MAX = 20_000_000


async def run(db, data: bytes, code: int = 751, max_bytes: int = MAX):
    token = i18n.current_language.set("da")
    try:
        issuer = await authority_by_code(db, code)
        return await import_grants(db, issuer, data, cpr_key=TEST_CPR_KEY, actor=Actor("authority", issuer.id, "csv"),
                                   max_bytes=max_bytes)
    finally:
        i18n.current_language.reset(token)


async def test_a_good_file_imports_every_line_and_again_changes_nothing(db):
    rows = [grant_row(n) for n in range(5)] + [grant_row(99, reference="IMP-END", action="end", valid_to="")]
    rows[-1] = {"action": "create", **grant_row(5)}
    report = await run(db, csv_bytes(rows))
    assert report.ok and report.outcome.count("created") == 6 and not report.bad_lines
    before = await counts(db)
    again = await run(db, csv_bytes(rows, delimiter=",", bom=False))
    assert again.ok and again.outcome.count("replayed") == 6
    assert await counts(db) == before
    change = [{"action": "change", "reference": "IMP-000001", "quantity_per_period": "60"},
              {"action": "end", "reference": "IMP-000002", "valid_to": "2027-03-31"}]
    report = await run(db, csv_bytes(change))
    assert report.ok and (report.outcome.count("changed"), report.outcome.count("ended")) == (1, 1)
    assert await db.fetchval("SELECT valid_to FROM grant_ WHERE reference = 'IMP-000002'") == dt.date(2027, 3, 31)


async def test_one_bad_line_imports_nothing_and_names_that_line(db):
    rows = [grant_row(n) for n in range(10)]
    rows[6]["period_days"] = "0"  # file line 8 (the header is line 1)
    before = await counts(db)
    report = await run(db, csv_bytes(rows))
    assert not report.ok and report.bad_lines == [(8, ["period_days: Perioden skal være fra 1 til 366 dage."])]
    assert await counts(db) == before


async def test_every_bad_line_is_listed_with_its_reasons(db):
    rows = [grant_row(n) for n in range(8)]
    rows[0]["cpr"] = "12-34"                                  # line 2
    rows[2] |= {"valid_from": "2027-01-10", "valid_to": "2027-01-01"}  # line 4
    rows[3]["hmi_no"] = "000000"                              # line 5
    rows[4]["municipality_code"] = "461"                      # line 6: Odense, not Aarhus's citizen
    rows[5]["area"] = "hjerte"                                # line 7
    rows[6]["reference"] = rows[7]["reference"]               # lines 8 and 9 share a reference
    rows.append({"action": "end", "reference": "NO-SUCH"})    # line 10
    before = await counts(db)
    report = await run(db, csv_bytes(rows))
    assert [number for number, _ in report.bad_lines] == [2, 4, 5, 6, 7, 9, 10]
    reasons = dict(report.bad_lines)
    assert "CPR" in reasons[2][0] and "slutdato" in reasons[4][0].lower()
    assert "Odense" in reasons[6][0] and "linje 8" in reasons[9][0]
    assert await counts(db) == before


@pytest.mark.parametrize("data, expected", [
    (b"", "tom"),
    (b"\xef\xbb\xbf   \r\n", "tom"),
    (csv_bytes([]), "ingen bevillinger"),
    (csv_bytes([grant_row(1)], header=("reference", "cpr", "navn")), "Mangler kolonner"),
    (csv_bytes([grant_row(1, name="Søren Ærø")]).decode("utf-8").encode("latin-1", errors="replace")[3:], "UTF-8"),
    (csv_bytes([grant_row(1)], bom=False).decode("utf-8").encode("utf-16"), "UTF-8"),
])
async def test_a_bad_file_is_refused_with_a_clear_reason(db, data, expected):
    before = await counts(db)
    report = await run(db, data)
    assert expected.lower() in report.file_error.lower(), report.file_error
    assert await counts(db) == before


async def test_the_cli_refuses_a_100_mb_file_before_reading_it(db_url, db, tmp_path, capsys):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 100 MB long, nothing on disk
        handle.truncate(100_000_000)
    assert await run_import(db_url, make_settings(), huge, 751) == 1
    assert "for stor" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([grant_row(n) for n in range(3)]))
    assert await run_import(db_url, make_settings(), good, 751) == 0
    assert "3 nye bevillinger" in capsys.readouterr().out
    assert await db.fetchval("SELECT count(*) FROM grant_ WHERE reference LIKE 'IMP-%'") == 3


async def upload(client, data: bytes, authority_id: int | str):
    return await client.post("/fsc/grants/import", files={"file": ("grants.csv", data, "text/csv")},
                             data={"authority_id": str(authority_id), "_csrf_token": await csrf_token(client, "/fsc/grants/import")})


async def test_the_upload_page_imports_or_lists_the_bad_lines(client, db):
    await staff_login(client, await staff_id(db, "Peter Vang"))
    assert (await client.get("/fsc/grants/import")).status_code == 200
    aarhus = await db.fetchval("SELECT id FROM authority WHERE code = 751")
    rows = [grant_row(n) for n in range(4)]
    rows[2]["valid_from"] = "31-02-2027"
    before = await counts(db)
    page = await upload(client, csv_bytes(rows), aarhus)
    assert page.status_code == 422 and 'data-line="4"' in page.text and "Intet blev indlæst" in page.text
    assert await counts(db) == before
    rows[2]["valid_from"] = "01-12-2026"  # Danish date order is taken too
    page = await upload(client, csv_bytes(rows), aarhus)
    assert page.status_code == 200 and "4 nye bevillinger" in page.text
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE actor_kind = 'staff' AND action = 'grant_created'") == 4


async def test_the_upload_page_refuses_a_too_large_file_unread(db_url, db):
    """100 MB sent in 1 MB chunks without a length: refused after the limit, the rest never read
    (an ASGI call of the whole app: the test client would read the whole body first)."""
    from litestar.testing import AsyncTestClient

    from backend.app import create_app

    app = create_app(make_settings(grant_import_max_bytes=4096), database_url=db_url)
    chunks_read, answer = 0, {}

    async def receive():
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 1_000_000, "more_body": chunks_read < 100}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/fsc/grants/import", "raw_path": b"/fsc/grants/import", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver.local"), (b"content-type", b"multipart/form-data; boundary=x"),
                         (b"accept-language", b"da")],
             "client": ("127.0.0.1", 5000), "server": ("testserver.local", 80)}
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        await app(scope, receive, send)
        assert answer["status"] == 413 and "filen er for stor" in answer["body"].decode().lower()
        assert chunks_read < 3
        declared = await client.post("/fsc/grants/import", content=b"x", headers={
            "content-type": "multipart/form-data; boundary=x", "content-length": "100000000"})
        assert declared.status_code == 413
