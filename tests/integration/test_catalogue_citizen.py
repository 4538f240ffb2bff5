"""What citizens (and FSC) see of the shared catalogue and the go-live: pictures served small and
cached, successors named on the grant cards, the home grouped by product area, a municipality not
live yet told kindly with refusals on every order path, and the contract price kept per order line."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from backend.i18n import format_date
from backend.seed.catalogue import STOMA_AND_UROLOGY_CPR
from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.deps import local_today
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.test_staff import post, staff_id, staff_login

LEFT_RANGE_CPR = "1608431239"   # Jørgen Rasmussen: his Vela Plasterfjerner has left the range (demo)


async def test_pictures_are_small_cached_for_a_year_and_revalidate_by_etag(client, db):
    product_id, etag = await db.fetchrow("SELECT product_id, etag FROM product_picture ORDER BY product_id LIMIT 1")
    response = await client.get(f"/products/{product_id}/picture?v={etag}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert len(response.content) <= 15 * 1024
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["etag"] == f'"{etag}"'
    again = await client.get(f"/products/{product_id}/picture", headers={"if-none-match": f'"{etag}"'})
    assert again.status_code == 304 and again.content == b""
    no_picture = await db.fetchval("SELECT id FROM product WHERE picture_etag IS NULL LIMIT 1")
    assert (await client.get(f"/products/{no_picture}/picture")).status_code == 404
    sizes = await db.fetchval("SELECT max(octet_length(data)) FROM product_picture")
    assert sizes <= 15 * 1024


async def test_grant_cards_show_pictures_lazily_with_alt_text_or_the_placeholder(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    html = (await client.get("/")).text
    pictures = re.findall(r'<img class="product-picture" src="(/products/\d+/picture\?v=\w+)" alt="Billede af ([^"]+)"\s+'
                          r'width="64" height="64" loading="lazy"', html)
    named = {r["name"] for r in await db.fetch(
        """SELECT p.name FROM grant_ g JOIN product p ON p.id = g.product_id
            WHERE g.citizen_id = $1 AND p.picture_etag IS NOT NULL""", citizen)}
    assert {name for _url, name in pictures} == named and named
    # A product without a picture keeps the placeholder.
    await db.execute("""UPDATE product SET picture_etag = NULL WHERE id IN (
                          SELECT product_id FROM grant_ WHERE citizen_id = $1 LIMIT 1)""", citizen)
    html = (await client.get("/")).text
    assert "product-placeholder" in html and html.count("loading=\"lazy\"") == len(named) - 1


async def test_a_product_leaving_the_range_names_its_successor_to_the_citizen_and_fsc(client, db):
    citizen = await citizen_id_by_cpr(db, LEFT_RANGE_CPR)
    successor = await db.fetchval("SELECT name FROM product WHERE item_no = '423501'")
    await login(client, citizen)
    html = (await client.get("/")).text
    assert f"Produktet er udgået af sortimentet. Det erstattes af {successor}." in html
    assert "Vela Plasterfjerner, servietter" in html  # the grant (and its history) still shows the old product
    # FSC sees the same on the call with the citizen.
    callback = await book_directly(db, citizen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    await post(client, f"/fsc/callbacks/{callback}/claim")
    view = (await client.get(f"/fsc/callbacks/{callback}")).text
    assert f"Det erstattes af {successor}." in view


async def test_a_product_leaving_later_says_when(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    product, name = await db.fetchrow("""SELECT p.id, p.name FROM grant_ g JOIN product p ON p.id = g.product_id
                                          WHERE g.citizen_id = $1 ORDER BY p.id LIMIT 1""", citizen)
    successor = await db.fetchval("SELECT name FROM product WHERE item_no = '17860'")
    ends = local_today() + dt.timedelta(days=30)
    await db.execute("UPDATE product SET valid_to = $2, successor_id = (SELECT id FROM product WHERE item_no = '17860') "
                     "WHERE id = $1", product, ends)
    await login(client, citizen)
    html = (await client.get("/")).text
    assert f"Produktet udgår af sortimentet efter den {format_date(ends)}. Det erstattes af {successor}." in html


async def test_home_groups_by_area_only_with_more_than_one_area(client, db):
    both = await citizen_id_by_cpr(db, STOMA_AND_UROLOGY_CPR)
    await login(client, both)
    html = (await client.get("/")).text
    headings = re.findall(r'<h2 class="h3 grant-area-heading" id="area-\d">([^<]+)</h2>', html)
    assert headings == ["Stomi", "Urologi"]
    urology = html[html.index(">Urologi</h2>"):]
    assert "SpeediCath Kateter" in urology and "Conveen Benpose" in urology
    assert '<h3 class="h3 grant-name">SpeediCath Kateter' in html
    one_area = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, one_area)
    html = (await client.get("/")).text
    assert "grant-area-heading" not in html and '<h2 class="h3 grant-name">' in html


async def _set_go_live(client, db, code: int, participates: str, go_live: str):
    authority = await db.fetchval("SELECT id FROM authority WHERE code = $1", code)
    await staff_login(client, await staff_id(db, "Peter Vang"))
    return await post(client, f"/fsc/go-live/{authority}", participates=participates, go_live=go_live)


async def test_a_municipality_set_to_go_live_later_is_told_kindly_and_every_order_path_refuses(client, db):
    later = local_today() + dt.timedelta(days=45)
    response = await _set_go_live(client, db, 751, "yes", later.strftime("%d-%m-%Y"))
    assert response.status_code == 303
    assert await db.fetchval("SELECT go_live FROM authority WHERE code = 751") == later
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'authority_go_live_changed'") == 1
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    contact = await db.fetchrow("SELECT contact_name, contact_phone FROM authority WHERE code = 751")
    orders = await db.fetchval("SELECT count(*) FROM order_")
    await login(client, citizen)
    home = (await client.get("/")).text
    assert f"Din kommune begynder at bruge Fælles Bestilling den {format_date(later)}" in home
    assert contact["contact_name"] in home and contact["contact_phone"] in home
    assert "70 00 00 00" in home  # FSC's phone (settings)
    assert 'action="/orders/reorder"' not in home
    new_order = (await client.get("/orders/new")).text
    assert "Du kan ikke bestille her endnu" in new_order and 'action="/orders/"' not in new_order
    # A crafted POST is refused by the server too.
    crafted = await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()),
                                                         "_csrf_token": await csrf_token(client)},
                                follow_redirects=False)
    assert crafted.status_code == 422 and "Din kommune begynder at bruge Fælles Bestilling" in crafted.text
    # And by phone.
    callback = await book_directly(db, citizen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    await post(client, f"/fsc/callbacks/{callback}/claim")
    grant = await db.fetchval("SELECT min(id) FROM grant_ WHERE citizen_id = $1", citizen)
    by_phone = await post(client, f"/fsc/callbacks/{callback}/order", **{f"packs-{grant}": "1"},
                          idempotency_key=str(uuid.uuid4()), delivery_method="home")
    assert by_phone.status_code == 422 and "begynder at bruge Fælles Bestilling" in by_phone.text
    assert await db.fetchval("SELECT count(*) FROM order_") == orders


async def test_a_municipality_that_stops_taking_part_refuses_and_says_so(client, db):
    response = await _set_go_live(client, db, 751, "", "")
    assert response.status_code == 303
    assert await db.fetchval("SELECT participates FROM authority WHERE code = 751") is False
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    assert "Din kommune er ikke med i Fælles Bestilling" in (await client.get("/")).text


async def test_a_go_live_date_in_a_bad_format_is_refused_and_nothing_changes(client, db):
    before = await db.fetchrow("SELECT participates, go_live FROM authority WHERE code = 751")
    for bad in ("31-02-2027", "2027/13/01", "i morgen", "1-1-27"):
        response = await _set_go_live(client, db, 751, "yes", bad)
        assert response.status_code == 422, bad
        assert "Skriv datoen som DD-MM-ÅÅÅÅ" in response.text
    response = await _set_go_live(client, db, 751, "yes", "")
    assert response.status_code == 422 and "skal have en startdato" in response.text
    assert await db.fetchrow("SELECT participates, go_live FROM authority WHERE code = 751") == before
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'authority_go_live_changed'") == 0


async def test_an_order_line_keeps_the_contract_price_of_its_day(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    response = await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()),
                                                          "_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert response.status_code == 303, response.text
    order_id = int(response.headers["location"].rsplit("/", 1)[-1])
    lines = await db.fetch("""SELECT l.product_id, l.price_oere, p.price_oere AS today
                                FROM order_line l JOIN product p ON p.id = l.product_id WHERE l.order_id = $1""", order_id)
    assert lines and all(line["price_oere"] == line["today"] for line in lines)
    await db.execute("UPDATE product SET price_oere = price_oere + 1000 WHERE id = ANY($1::int[])",
                     [line["product_id"] for line in lines])
    kept = await db.fetch("SELECT price_oere FROM order_line WHERE order_id = $1 ORDER BY product_id", order_id)
    assert [r["price_oere"] for r in kept] == [line["price_oere"] for line in sorted(lines, key=lambda r: r["product_id"])]


async def test_a_writer_that_leaves_the_price_out_gets_the_price_of_the_day(db):
    from tests.factories import make_citizen, make_grant, make_order, make_product

    citizen = await make_citizen(db, "Pris Uden", "0101701234")
    product = await make_product(db, "Prispose")
    grant = await make_grant(db, citizen, product, 90, local_today() - dt.timedelta(days=5))
    order_id = await make_order(db, citizen, grant, product, 1, 30, local_today())
    assert await db.fetchval("SELECT price_oere FROM order_line WHERE order_id = $1", order_id) == 50000
