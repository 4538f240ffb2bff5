"""The tender's product list in: all lines or none, every bad line named; successors; prices kept
per order line; pictures made small."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from backend.settings import REPO_ROOT
from tests.conftest import TEST_CPR_KEY, TEST_SECRET, TEST_WAREHOUSE_SECRET
from tests.integration.catalogue_helpers import (
    catalogue_state, csv_bytes, line, noisy_photo, supervisor, upload)


async def test_a_good_file_adds_updates_names_successors_and_makes_pictures_small(client, db):
    await supervisor(client, db)
    old_price = await db.fetchval("SELECT price_oere FROM product WHERE item_no = '17321'")
    csv = csv_bytes(
        line(),  # new
        line(item_no="T-1001", hmi_no="990002", name="Testkateter", area="urologi",
             category="catheter_intermittent", picture="kateter.png", price="1.234,50"),
        # the demo's Comfort Flex Midi: a new price, leaves the range, replaced by the new T-1000
        line(item_no="17321", hmi_no="504217", name="Comfort Flex Lukket Pose, Midi, 15–55 mm", price="912,00",
             valid_from="2024-01-01", valid_to="2026-06-30", successor_item_no="T-1000"),
    )
    response = await upload(client, csv, {"kateter.png": noisy_photo()})
    assert response.status_code == 303, response.text
    page = (await client.get("/fsc/catalogue")).text
    assert "Produktlisten er indlæst: 2 nye, 1 opdaterede, 1 billeder." in page

    rows = {r["item_no"]: r for r in await db.fetch(
        """SELECT p.item_no, p.price_oere, p.area_code, p.valid_to, s.item_no AS successor, p.picture_etag
             FROM product p LEFT JOIN product s ON s.id = p.successor_id
            WHERE p.item_no IN ('T-1000', 'T-1001', '17321')""")}
    assert rows["T-1001"]["price_oere"] == 123450 and rows["T-1001"]["area_code"] == "urologi"
    assert rows["17321"]["price_oere"] == 91200 and rows["17321"]["successor"] == "T-1000"
    assert str(rows["17321"]["valid_to"]) == "2026-06-30"
    history = [r["price_oere"] for r in await db.fetch(
        """SELECT pp.price_oere FROM product_price pp JOIN product p ON p.id = pp.product_id
            WHERE p.item_no = '17321' ORDER BY pp.valid_from""")]
    assert history == [old_price, 91200]  # the old price is kept
    picture = await db.fetchrow(
        """SELECT pp.product_id, octet_length(pp.data) AS size, pp.width, pp.height, pp.etag
             FROM product_picture pp JOIN product p ON p.id = pp.product_id WHERE p.item_no = 'T-1001'""")
    assert picture["size"] <= 15 * 1024 and max(picture["width"], picture["height"]) <= 320
    assert picture["etag"] == rows["T-1001"]["picture_etag"]
    assert "Leaving the range" in page or "Udgår af sortimentet" in page


async def test_bad_lines_are_all_named_and_nothing_is_written(client, db):
    await supervisor(client, db)
    before = await catalogue_state(db)
    csv = csv_bytes(
        line(),                                                    # 2: fine
        line(item_no="T-2", hmi_no="", area="hud"),                # 3: unknown area
        line(hmi_no=""),                                           # 4: T-1000 again
        line(item_no="T-4", hmi_no="", price="8,955"),             # 5: bad price
        line(item_no="T-5", hmi_no="", pack_size="0"),             # 6: bad pack size
        line(item_no="T-6", hmi_no="", valid_from="2026-05-01", valid_to="2026-04-30"),  # 7: ends before it starts
        line(item_no="T-7", hmi_no="", successor_item_no="NO-SUCH"),                   # 8: successor unknown
        line(item_no="T-8", hmi_no="", valid_from="01-05-2026"),   # 9: date format
        line(item_no="T-9", hmi_no="", price="-5"),                # 10: negative price
    )
    response = await upload(client, csv)
    assert response.status_code == 422
    html = response.text
    assert "Intet blev indlæst: 8 linjer har fejl." in html
    expected = {3: "Ukendt produktområde", 4: "Varenummer T-1000 står også på linje 2", 5: "Prisen skal være",
                6: "Pakningsstørrelsen skal være", 7: "valid_to er før valid_from",
                8: "Afløseren NO-SUCH findes hverken i filen eller i sortimentet",
                9: "valid_from skal være en dato skrevet som ÅÅÅÅ-MM-DD", 10: "Prisen skal være"}
    listed = dict(re.findall(r"<li>Linje (\d+): ([^<]*)</li>", html))
    assert set(map(int, listed)) == set(expected)
    for number, reason in expected.items():
        assert reason in listed[str(number)].replace("&#34;", '"'), (number, listed[str(number)])
    assert await catalogue_state(db) == before


async def test_wrong_header_encoding_and_size_are_refused_early(client, db):
    await supervisor(client, db)
    before = await catalogue_state(db)
    wrong_header = csv_bytes(line(), header=("maker", "item", "hmi_no", "name", "area", "category", "pack_size",
                                             "unit", "price", "valid_from", "valid_to", "successor_item_no",
                                             "picture"))
    response = await upload(client, wrong_header)
    assert response.status_code == 422 and "Første linje skal navngive kolonnerne" in response.text
    latin1 = csv_bytes(line(name="Pose til håndled")).decode("utf-8").encode("latin-1")
    response = await upload(client, latin1)
    assert response.status_code == 422 and "Filen er ikke gemt som UTF-8" in response.text
    too_large = csv_bytes(line()) + b"#" * (6 * 1024 * 1024)
    response = await upload(client, too_large)
    assert response.status_code == 422 and "Filen er større end 5 MB" in response.text
    # 100 MB is refused by its Content-Length, unread.
    response = await client.post("/fsc/catalogue", content=b"x" * 1024, headers={
        "content-type": "multipart/form-data; boundary=x", "content-length": str(100 * 1024 * 1024)})
    assert response.status_code == 413
    assert await catalogue_state(db) == before


async def test_a_picture_that_is_missing_or_not_a_picture_names_its_line(client, db):
    await supervisor(client, db)
    before = await catalogue_state(db)
    csv = csv_bytes(line(picture="mangler.png"), line(item_no="T-2", hmi_no="", picture="tekst.png"),
                    line(item_no="T-3", hmi_no="", picture="../../etc/passwd.png"))
    response = await upload(client, csv, {"tekst.png": b"not a picture"})
    assert response.status_code == 422
    listed = dict(re.findall(r"<li>Linje (\d+): ([^<]*)</li>", response.text))
    assert "Billedet mangler.png er ikke blandt filerne" in listed["2"]
    assert "Billedet kan ikke læses" in listed["3"]
    assert "uden mapper" in listed["4"]
    assert await catalogue_state(db) == before


async def test_only_a_supervisor_may_import(client, db):
    from tests.integration.test_staff import staff_id, staff_login

    await staff_login(client, await staff_id(db, "Anne Holm"))  # an advisor
    assert (await client.get("/fsc/catalogue", follow_redirects=False)).status_code == 403


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FSC_DATABASE_URL": db_url, "FSC_SECRET_KEY": TEST_SECRET, "FSC_CPR_KEY": TEST_CPR_KEY,
           "FSC_WAREHOUSE_SECRET": TEST_WAREHOUSE_SECRET, "FSC_ENV": "development"}
    return subprocess.run([sys.executable, "-m", "backend.cli", "import-catalogue", *args], env=env,
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


async def test_the_command_imports_with_pictures_from_the_folder_or_names_every_bad_line(db_url, db, tmp_path):
    (tmp_path / "pose.png").write_bytes(noisy_photo(400, 300))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(line(), line(hmi_no="", area="hud")))
    before = await catalogue_state(db)
    result = _cli(db_url, str(bad))
    assert result.returncode == 2
    assert "Intet blev indlæst: 2 linjer har fejl." in result.stderr
    assert "line 3: Varenummer T-1000 står også på linje 2" in result.stderr
    assert await catalogue_state(db) == before
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(line(picture="pose.png")))
    result = _cli(db_url, str(good))
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 updated, 1 pictures" in result.stdout
    assert await db.fetchval(
        "SELECT octet_length(data) FROM product_picture pp JOIN product p ON p.id = pp.product_id "
        "WHERE p.item_no = 'T-1000'") <= 15 * 1024
