"""Find the caller (issue 15 §1): by name (partial, accent-insensitive), phone number in any
formatting, CPR number (exact, through the keyed hash, never in a URL or the log) or order number;
bad input gets a translated error and writes nothing; a citizen session is refused (403)."""

from __future__ import annotations

import json

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, login
from tests.factories import make_citizen
from tests.integration.test_staff import post, staff_id, staff_login

SOREN_CPR = "1502851234"  # 15 February 1985


async def searches_logged(db) -> int:
    return await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'staff_searched_citizens'")


def found(page: str, citizen: int) -> bool:
    return f'data-testid="result-{citizen}"' in page


async def test_name_search_is_partial_and_ignores_accents(client, db):
    soren = await make_citizen(db, "Søren Østergård", SOREN_CPR, phone="+45 23 45 67 89")
    other = await make_citizen(db, "Sørine Hansen", "0101901234")
    await staff_login(client, await staff_id(db, "Anne Holm"))
    for query in ("Soren", "Sore", "søren", "SØREN", "ostergard", "Søren Øster", "sor ost"):
        page = (await client.get("/fsc/search", params={"q": query})).text
        assert found(page, soren), query
    page = (await client.get("/fsc/search", params={"q": "Sør"})).text
    assert found(page, soren) and found(page, other)
    assert not found((await client.get("/fsc/search", params={"q": "Soren Hansen"})).text, soren)
    row = (await client.get("/fsc/search", params={"q": "Soren Ostergard"})).text
    assert ">1985<" in row and "Aarhus" in row  # birth year from the CPR, municipality
    assert await db.fetchval("SELECT birth_year FROM citizen WHERE id = $1", soren) == 1985


async def test_phone_in_any_formatting_and_order_number(client, db):
    soren = await make_citizen(db, "Søren Østergård", SOREN_CPR, phone="+45 23 45 67 89")
    await staff_login(client, await staff_id(db, "Anne Holm"))
    for query in ("+45 23 45 67 89", "23456789", "23 45 67 89", "0045 23456789", "+4523456789", "2345-6789"):
        assert found((await client.get("/fsc/search", params={"q": query})).text, soren), query

    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    order = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", karen)
    for query in (str(order), f"#{order}"):
        page = (await client.get("/fsc/search", params={"q": query})).text
        assert found(page, karen) and f"Nr. {order}" in page, query


async def test_cpr_is_found_by_its_hash_and_never_shown_sent_or_logged(client, db):
    soren = await make_citizen(db, "Søren Østergård", SOREN_CPR)
    await staff_login(client, await staff_id(db, "Anne Holm"))
    for typed in ("150285-1234", "1502851234", " 150285 1234 "):
        response = await post(client, "/fsc/search", cpr=typed)
        assert response.status_code == 200 and found(response.text, soren), typed
        assert "150285" not in response.text  # the field is never filled in again
    logged = await db.fetch("SELECT detail::text AS detail FROM audit_log WHERE action = 'staff_searched_citizens'")
    assert len(logged) == 3 and all(json.loads(r["detail"])["by"] == "cpr" for r in logged)
    assert not any("150285" in r["detail"] for r in await db.fetch("SELECT detail::text AS detail FROM audit_log"))

    # Typed into the address-bar search it is refused, not searched, and not echoed back.
    before = await searches_logged(db)
    refused = await client.get("/fsc/search", params={"q": "150285-1234"})
    assert refused.status_code == 422 and "feltet CPR-nummer" in refused.text and "150285" not in refused.text
    assert await searches_logged(db) == before


async def test_bad_input_gets_a_translated_error_and_writes_nothing(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    before = await searches_logged(db)
    for query, message in (("", "mindst 2 bogstaver"), ("a", "mindst 2 bogstaver"), ("  ", "mindst 2 bogstaver"),
                           ("123456789012", "telefonnummer med 8 cifre"), ("+45 1234", "telefonnummer med 8 cifre")):
        response = await client.get("/fsc/search", params={"q": query})
        assert response.status_code == 422 and message in response.text, query
    for cpr in ("12345", "320185-1234", "abcdef-ghij", ""):
        response = await post(client, "/fsc/search", cpr=cpr)
        assert response.status_code == 422 and "CPR-nummeret med 10 cifre" in response.text, cpr
    assert await searches_logged(db) == before


async def test_a_citizen_session_is_refused(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, karen)
    assert (await client.get("/fsc/search", params={"q": "Karen"})).status_code == 403
    assert (await client.post("/fsc/search", data={"cpr": MAIN_DEMO_CPR})).status_code == 403
    assert (await client.get(f"/fsc/citizens/{karen}?reason=complaint")).status_code == 403
    assert await searches_logged(db) == 0


async def test_the_search_is_linked_from_the_console_navigation(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    queue = (await client.get("/fsc/queue")).text
    assert '<a href="/fsc/search">Find borger</a>' in queue


async def test_the_database_folds_names_exactly_as_the_search_folds_the_query(db):
    from backend.citizens.search import fold

    names = ["Søren Østergård", "ÆBLEØ Åse", "Zoë Müller-Lüdenscheidt", "José Núñez", "Ærø Ñandú Çelik", "Ÿvonne Ýr"]
    assert [await db.fetchval("SELECT fsc_fold($1)", n) for n in names] == [fold(n) for n in names]
