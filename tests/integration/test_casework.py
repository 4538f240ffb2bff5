"""The caseworker's side: deciding change requests (each rule and error), isolation between
authorities (403 and logged), and caseworkers kept out of the FSC advisor pages."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.push.queries import upsert_subscription
from backend.web.deps import local_today
from tests.conftest import login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.casework_helpers import (
    AARHUS_CASEWORKER,
    ODENSE_CASEWORKER,
    REGION_CASEWORKER,
    caseworker_login,
    karen_and_grant,
    open_request,
    other_product,
    post,
)
from tests.integration.test_staff import staff_id, staff_login
from backend.seed.demo import NEW_STOMA_CPR
from tests.conftest import citizen_id_by_cpr


async def request_state(db, request_id: int) -> tuple:
    row = await db.fetchrow("SELECT status, new_grant_id, decided_by FROM change_request WHERE id = $1", request_id)
    return tuple(row)


async def grants_of(db, citizen_id: int) -> list[tuple]:
    return [tuple(r) for r in await db.fetch(
        "SELECT id, product_id, valid_from, valid_to FROM grant_ WHERE citizen_id = $1 ORDER BY id", citizen_id)]


async def test_approval_changes_the_grant_from_the_date_in_one_go(client, db):
    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    request_id = await open_request(db, karen, grant, wanted)
    await upsert_subscription(db, karen, "https://push.example/karen-casework", "p256dh", "auth", "da", "Telefon")
    today = local_today()
    effective = today + dt.timedelta(days=5)
    # Supply ordered in advance on the old grant for a period from the change on moves to the new grant.
    order_id = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", karen)
    await db.execute("INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces) VALUES ($1, $2, $3, 7)",
                     order_id, grant["id"], effective + dt.timedelta(days=3))
    pieces_before = await db.fetchval(
        "SELECT sum(pieces) FROM grant_allocation a JOIN grant_ g ON g.id = a.grant_id WHERE g.citizen_id = $1", karen)

    member = await caseworker_login(client, db, AARHUS_CASEWORKER)
    page = await client.get(f"/fsc/sag/requests/{request_id}")
    assert page.status_code == 200 and 'name="effective_from"' in page.text
    response = await post(client, f"/fsc/sag/requests/{request_id}/approve", effective_from=effective.isoformat())
    assert response.status_code == 303 and response.headers["location"] == "/fsc/sag"

    status, new_grant_id, decided_by = await request_state(db, request_id)
    assert (status, decided_by) == ("approved", member)
    old = await db.fetchrow("SELECT * FROM grant_ WHERE id = $1", grant["id"])
    new = await db.fetchrow("SELECT * FROM grant_ WHERE id = $1", new_grant_id)
    assert old["valid_to"] == effective - dt.timedelta(days=1)
    assert (new["product_id"], new["valid_from"], new["valid_to"]) == (wanted, effective, grant["valid_to"])
    assert (new["quantity_per_period"], new["period_days"], new["payer_id"], new["citizen_id"]) == \
        (grant["quantity_per_period"], grant["period_days"], grant["payer_id"], karen)
    assert await db.fetchval("SELECT count(*) FROM grant_allocation WHERE grant_id = $1 AND period_start >= $2",
                             grant["id"], effective) == 0
    assert await db.fetchval("SELECT sum(pieces) FROM grant_allocation WHERE grant_id = $1", new_grant_id) == 7
    assert await db.fetchval(
        "SELECT sum(pieces) FROM grant_allocation a JOIN grant_ g ON g.id = a.grant_id WHERE g.citizen_id = $1",
        karen) == pieces_before
    logged = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'change_request_approved'")
    assert (logged["actor_kind"], logged["actor_id"], logged["citizen_id"]) == ("staff", member, karen)
    job = await db.fetchrow("SELECT payload FROM pgqueuer WHERE entrypoint = 'push_notify' ORDER BY id DESC LIMIT 1")
    assert b'"change_request_decided"' in job["payload"]

    client.cookies.clear()
    await login(client, karen)
    home = await client.get("/")
    assert f'id="grant-{new_grant_id}"' in home.text and 'data-testid="change-request"' in home.text
    mine = await client.get("/change-requests")
    assert 'data-testid="effective-from"' in mine.text


async def test_rejection_needs_a_reason_and_the_citizen_sees_it(client, db):
    karen, grant = await karen_and_grant(db)
    request_id = await open_request(db, karen, grant, await other_product(db, grant))
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    empty = await post(client, f"/fsc/sag/requests/{request_id}/reject", decision_note="   ")
    assert empty.status_code == 422 and (await request_state(db, request_id))[0] == "open"
    long = await post(client, f"/fsc/sag/requests/{request_id}/reject", decision_note="x" * 501)
    assert long.status_code == 422 and (await request_state(db, request_id))[0] == "open"
    done = await post(client, f"/fsc/sag/requests/{request_id}/reject", decision_note="Prøv en størrelse mindre først.")
    assert done.status_code == 303 and (await request_state(db, request_id))[0] == "rejected"
    assert await db.fetchval("SELECT count(*) FROM grant_ WHERE citizen_id = $1", karen) == \
        len(await grants_of(db, karen))
    client.cookies.clear()
    await login(client, karen)
    mine = await client.get("/change-requests")
    assert "Prøv en størrelse mindre først." in mine.text


async def test_deciding_twice_is_a_conflict(client, db):
    karen, grant = await karen_and_grant(db)
    request_id = await open_request(db, karen, grant, await other_product(db, grant))
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    effective = (local_today() + dt.timedelta(days=3)).isoformat()
    assert (await post(client, f"/fsc/sag/requests/{request_id}/approve", effective_from=effective)).status_code == 303
    grants = await grants_of(db, karen)
    again = await post(client, f"/fsc/sag/requests/{request_id}/approve", effective_from=effective)
    assert again.status_code == 409 and "allerede besvaret" in again.text
    reject = await post(client, f"/fsc/sag/requests/{request_id}/reject", decision_note="Nej")
    assert reject.status_code == 409 and await grants_of(db, karen) == grants
    assert (await request_state(db, request_id))[0] == "approved"


@pytest.mark.parametrize("case", ["past", "grant_start", "before_grant", "after_grant_end", "not_a_date"])
async def test_approval_dates_outside_the_grant_are_refused(client, db, case):
    karen, grant = await karen_and_grant(db)
    today = local_today()
    if case == "past":
        date = (today - dt.timedelta(days=1)).isoformat()
    elif case == "grant_start":
        await db.execute("UPDATE grant_ SET valid_from = $2 WHERE id = $1", grant["id"], today + dt.timedelta(days=4))
        date = (today + dt.timedelta(days=4)).isoformat()
    elif case == "before_grant":
        await db.execute("UPDATE grant_ SET valid_from = $2 WHERE id = $1", grant["id"], today + dt.timedelta(days=9))
        date = (today + dt.timedelta(days=4)).isoformat()
    elif case == "after_grant_end":
        await db.execute("UPDATE grant_ SET valid_to = $2 WHERE id = $1", grant["id"], today + dt.timedelta(days=9))
        date = (today + dt.timedelta(days=10)).isoformat()
    else:
        date = "31-02-2030"
    request_id = await open_request(db, karen, grant, await other_product(db, grant))
    before = await grants_of(db, karen)
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    response = await post(client, f"/fsc/sag/requests/{request_id}/approve", effective_from=date)
    assert response.status_code == 422 and "form-error-message" in response.text
    assert await grants_of(db, karen) == before
    assert (await request_state(db, request_id))[0] == "open"


async def test_a_caseworker_of_another_authority_is_refused_and_logged(client, db):
    karen, grant = await karen_and_grant(db)
    request_id = await open_request(db, karen, grant, await other_product(db, grant))
    before = await grants_of(db, karen)
    odense = await caseworker_login(client, db, ODENSE_CASEWORKER)
    tries = [await client.get(f"/fsc/sag/requests/{request_id}"),
             await client.get(f"/fsc/sag/citizens/{karen}"),
             await post(client, f"/fsc/sag/requests/{request_id}/approve",
                        effective_from=(local_today() + dt.timedelta(days=3)).isoformat()),
             await post(client, f"/fsc/sag/requests/{request_id}/reject", decision_note="Nej")]
    assert [r.status_code for r in tries] == [403, 403, 403, 403]
    assert all("Karen Jensen" not in r.text for r in tries)
    refused = await db.fetch("SELECT * FROM audit_log WHERE action = 'caseworker_refused' ORDER BY id")
    assert len(refused) == 4
    assert all((r["actor_kind"], r["actor_id"], r["citizen_id"]) == ("staff", odense, karen) for r in refused)
    assert [r["detail"]["view"] for r in refused] == ["change_request", "citizen", "approve", "reject"]
    assert await grants_of(db, karen) == before and (await request_state(db, request_id))[0] == "open"
    assert (await client.get("/fsc/sag/requests/99999999")).status_code == 404

    await caseworker_login(client, db, AARHUS_CASEWORKER)
    own = await client.get(f"/fsc/sag/citizens/{karen}")
    assert own.status_code == 200 and "Karen Jensen" in own.text
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'caseworker_viewed_citizen'") == 1


async def test_a_region_caseworker_sees_the_citizens_whose_grants_it_pays(client, db):
    karen, _grant = await karen_and_grant(db)
    mette = await citizen_id_by_cpr(db, NEW_STOMA_CPR)  # Skanderborg; the region pays after discharge
    await caseworker_login(client, db, REGION_CASEWORKER)
    assert (await client.get(f"/fsc/sag/citizens/{mette}")).status_code == 200
    assert (await client.get(f"/fsc/sag/citizens/{karen}")).status_code == 403


async def test_caseworkers_are_not_advisors_and_advisors_are_not_caseworkers(client, db):
    karen, _grant = await karen_and_grant(db)
    callback_id = await book_directly(db, karen, await free_slot(db))
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    for url in ("/fsc/queue", f"/fsc/callbacks/{callback_id}", "/fsc/orders/attention", "/fsc/reports",
                f"/fsc/callbacks/{callback_id}/change-request"):
        assert (await client.get(url, follow_redirects=False)).status_code == 403, url
    assert (await client.get("/fsc", follow_redirects=False)).headers["location"] == "/fsc/sag"
    claim = await post(client, f"/fsc/callbacks/{callback_id}/claim")
    assert claim.status_code == 403
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get("/fsc/sag", follow_redirects=False)).status_code == 403


async def test_the_queue_shows_the_service_target_and_overdue_requests_in_words(client, db):
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    queue = await client.get("/fsc/sag")
    assert "svar inden for 2 arbejdsdage" in queue.text
    overdue = await db.fetchval(
        "SELECT r.id FROM change_request r JOIN citizen c ON c.id = r.citizen_id WHERE c.name = 'Ole Mikkelsen'")
    row = queue.text.split(f'id="change-request-{overdue}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="overdue"' in row and "Forsinket" in row  # in words, not only colour
    await db.execute("UPDATE authority SET change_request_working_days = 5 WHERE code = 751")
    assert "svar inden for 5 arbejdsdage" in (await client.get("/fsc/sag")).text


async def test_grants_ending_soon_lists_only_the_authoritys_own(client, db):
    karen, grant = await karen_and_grant(db)
    await db.execute("UPDATE grant_ SET valid_to = $2 WHERE id = $1", grant["id"], local_today() + dt.timedelta(days=20))
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    assert f'/fsc/sag/citizens/{karen}"' in (await client.get("/fsc/sag")).text
    await caseworker_login(client, db, ODENSE_CASEWORKER)
    assert f'/fsc/sag/citizens/{karen}"' not in (await client.get("/fsc/sag")).text


async def test_after_an_approval_from_today_the_one_tap_orders_the_new_product(client, db):
    from backend.grants.routes import home_values

    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    request_id = await open_request(db, karen, grant, wanted)
    today = local_today()
    before = {g.id for g in (await home_values(db, karen, today))["one_tap"]}
    await caseworker_login(client, db, AARHUS_CASEWORKER)
    response = await post(client, f"/fsc/sag/requests/{request_id}/approve", effective_from=today.isoformat())
    assert response.status_code == 303
    new_grant_id = (await request_state(db, request_id))[1]
    page = await home_values(db, karen, today)
    tap = {g.id for g in page["one_tap"]}
    assert grant["id"] not in tap and new_grant_id in tap and tap - {new_grant_id} == before - {grant["id"]}
    new = next(g for g in page["grants"] if g.id == new_grant_id)
    assert new.balance.status.value == "active" and new.balance.granted == grant["quantity_per_period"]
    old = next(g for g in page["grants"] if g.id == grant["id"])
    assert old.balance.status.value == "expired" and old.balance.expires_on == today - dt.timedelta(days=1)
