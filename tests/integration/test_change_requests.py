"""Product-change requests ("Jeg har brug for et andet produkt"): asked by the citizen or an FSC
advisor after a call, each rule refused with a clear message and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.calendar_dk import add_working_days
from backend.web.deps import local_today
from tests.conftest import login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.casework_helpers import (
    AARHUS_CASEWORKER,
    ODENSE_CASEWORKER,
    ask_as_citizen,
    caseworker_login,
    karen_and_grant,
    other_product,
    post,
)
from tests.integration.test_staff import staff_id, staff_login


async def count(db) -> int:
    """Requests besides the demo seed's (citizen A has none there)."""
    karen, _grant = await karen_and_grant(db)
    return await db.fetchval("SELECT count(*) FROM change_request WHERE citizen_id = $1", karen)


async def test_the_citizen_asks_and_the_paying_authority_sees_it(client, db):
    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    await login(client, karen)
    form = await client.get(f"/grants/{grant['id']}/change")
    assert form.status_code == 200 and f'value="{wanted}"' in form.text
    assert f'<option value="{grant["product_id"]}"' not in form.text  # not the product they have
    assert "Skriv ikke mere om dit helbred" in form.text  # the hint against needless health details

    response = await ask_as_citizen(client, db, karen, grant["id"], wanted, note="  Den lækker om natten.  ")
    assert response.status_code == 303 and response.headers["location"] == "/change-requests?sent=1"
    row = await db.fetchrow("SELECT * FROM change_request WHERE citizen_id = $1", karen)
    assert (row["grant_id"], row["wanted_product_id"], row["payer_id"]) == (grant["id"], wanted, grant["payer_id"])
    assert (row["created_by_kind"], row["created_by_id"], row["status"]) == ("citizen", karen, "open")
    assert row["note"] == "Den lækker om natten."
    assert row["due_on"] == add_working_days(local_today(), 2)  # the authority's default service target
    logged = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'change_request_created'")
    assert (logged["actor_kind"], logged["actor_id"], logged["citizen_id"]) == ("citizen", karen, karen)

    mine = await client.get("/change-requests")
    assert mine.status_code == 200 and 'data-testid="change-request-status"' in mine.text
    home = await client.get("/")
    assert 'data-testid="change-request"' in home.text and "/change-requests" in home.text

    await caseworker_login(client, db, AARHUS_CASEWORKER)
    queue = await client.get("/fsc/sag")
    assert queue.status_code == 200 and f'id="change-request-{row["id"]}"' in queue.text
    assert 'data-testid="service-target"' in queue.text
    await caseworker_login(client, db, ODENSE_CASEWORKER)
    other = await client.get("/fsc/sag")
    assert other.status_code == 200 and f'id="change-request-{row["id"]}"' not in other.text
    assert "Karen Jensen" not in other.text


async def _other_area_product(db) -> int:
    manufacturer = await db.fetchval("SELECT id FROM manufacturer ORDER BY id LIMIT 1")
    return await db.fetchval(
        """INSERT INTO product (area_code, manufacturer_id, item_no, name, category, pack_size, unit, price_oere)
           VALUES ('urologi', $1, 'URO-TEST-1', 'Kateter test', 'one_piece_bag', 30, 'piece', 10000) RETURNING id""",
        manufacturer)


@pytest.mark.parametrize("case", ["unknown_product", "inactive_product", "other_area", "same_product", "bad_reason",
                                  "note_too_long", "no_product"])
async def test_bad_requests_are_refused_and_write_nothing(client, db, case):
    karen, grant = await karen_and_grant(db)
    wanted, reason, note = await other_product(db, grant), "leaks", ""
    if case == "unknown_product":
        wanted = 99_999_999
    elif case == "inactive_product":
        await db.execute("UPDATE product SET active = false WHERE id = $1", wanted)
    elif case == "other_area":
        wanted = await _other_area_product(db)
    elif case == "same_product":
        wanted = grant["product_id"]
    elif case == "bad_reason":
        reason = "cheaper"
    elif case == "note_too_long":
        note = "x" * 501
    await login(client, karen)
    data = {"product": "" if case == "no_product" else str(wanted), "reason": reason, "note": note}
    before_audit = await db.fetchval("SELECT count(*) FROM audit_log")
    response = await post(client, f"/grants/{grant['id']}/change", **data)
    assert response.status_code == 422, response.text
    assert 'class="alert alert-error"' in response.text and "form-error-message" in response.text
    assert await count(db) == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log") == before_audit


async def test_a_second_open_request_for_the_same_grant_is_refused(client, db):
    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    assert (await ask_as_citizen(client, db, karen, grant["id"], wanted)).status_code == 303
    again = await post(client, f"/grants/{grant['id']}/change", product=str(wanted), reason="skin", note="")
    assert again.status_code == 409 and "venter på svar" in again.text
    assert await count(db) == 1


async def test_another_citizens_grant_is_not_found(client, db):
    karen, grant = await karen_and_grant(db)
    other = await db.fetchval("SELECT id FROM citizen WHERE id <> $1 AND is_demo ORDER BY id LIMIT 1", karen)
    await login(client, other)
    assert (await client.get(f"/grants/{grant['id']}/change")).status_code == 404
    response = await post(client, f"/grants/{grant['id']}/change", product=str(await other_product(db, grant)),
                          reason="leaks", note="")
    assert response.status_code == 404 and await count(db) == 0


async def test_an_advisor_asks_after_a_call(client, db):
    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    callback_id = await book_directly(db, karen, await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    form = await client.get(f"/fsc/callbacks/{callback_id}/change-request")
    assert form.status_code == 200 and f'<option value="{grant["id"]}"' in form.text
    viewed = await db.fetchrow("SELECT detail FROM audit_log WHERE action = 'staff_viewed_citizen' ORDER BY id DESC")
    assert viewed["detail"]["reason"] == "callback" and viewed["detail"]["view"] == "change_request"

    bad = await post(client, f"/fsc/callbacks/{callback_id}/change-request", grant=str(grant["id"]),
                     product=str(wanted), reason="", note="")
    assert bad.status_code == 422 and await count(db) == 0
    response = await post(client, f"/fsc/callbacks/{callback_id}/change-request", grant=str(grant["id"]),
                          product=str(wanted), reason="nurse_advice", note="Anbefalet efter opkald.")
    assert response.status_code == 303 and response.headers["location"] == f"/fsc/callbacks/{callback_id}"
    row = await db.fetchrow("SELECT * FROM change_request WHERE citizen_id = $1", karen)
    assert (row["created_by_kind"], row["created_by_id"], row["citizen_id"]) == ("staff", anne, karen)
    assert row["payer_id"] == grant["payer_id"]


async def test_an_ended_grant_cannot_be_changed(client, db):
    karen, grant = await karen_and_grant(db)
    await db.execute("UPDATE grant_ SET valid_to = $2 WHERE id = $1", grant["id"], dt.date.today() - dt.timedelta(days=2))
    response = await ask_as_citizen(client, db, karen, grant["id"], await other_product(db, grant))
    assert response.status_code == 422 and await count(db) == 0
