"""Issue 14: a helper acts for the citizen within the scopes of their power, server-side and deny by
default; the helper is recorded as the actor; revocation, expiry and scope changes refuse the very
next request of an open session; FSC registers paper powers and sees the helpers in the call view."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.seed.demo import NEW_STOMA_CPR
from backend.web.deps import COPENHAGEN
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.callback_helpers import book_directly, booking_form, free_slot
from tests.integration.power_helpers import act_for, counts, grant, karen, login_person, make_person, post, sofie
from tests.integration.test_staff import staff_id, staff_login


async def helper_of_karen(client, db, *scopes: str) -> tuple[int, int]:
    """Ole, a helper-only person, acting for Karen with ``scopes``: (person id, power id)."""
    ole = await make_person(db, "Ole Jensen", "0101601234")
    power = await grant(db, await karen(db), ole, *scopes)
    await login_person(client, ole)
    assert (await act_for(client, power)).status_code == 303
    return ole, power


async def reorder(client):
    return await client.post("/orders/reorder", data={"idempotency_key": str(uuid.uuid4()),
                                                      "_csrf_token": await csrf_token(client)},
                             follow_redirects=False)


async def test_a_helper_orders_for_the_citizen_and_is_recorded_as_the_actor(client, db):
    ole, _power = await helper_of_karen(client, db, "view", "order")
    response = await reorder(client)
    assert response.status_code == 303, response.text
    order_id = int(response.headers["location"].rsplit("/", 1)[1])
    order = await db.fetchrow("SELECT citizen_id, placed_by_kind, placed_by_id FROM order_ WHERE id = $1", order_id)
    assert dict(order) == {"citizen_id": await karen(db), "placed_by_kind": "relative", "placed_by_id": ole}
    client_orders = await client.get("/orders")
    assert "Bestilt af hjælperen Ole Jensen" in client_orders.text
    receipt = await client.get(f"/orders/{order_id}")
    assert receipt.status_code == 200 and "Du handler for Karen Jensen" in receipt.text
    cancelled = await post(client, f"/orders/{order_id}/cancel")
    assert cancelled.status_code == 303
    log = await db.fetch("SELECT actor_kind, actor_id, citizen_id FROM audit_log WHERE action LIKE 'order%' "
                         "AND detail->>'order_id' = $1", str(order_id))
    assert log and {(r["actor_kind"], r["actor_id"], r["citizen_id"]) for r in log} == {("relative", ole, await karen(db))}


async def test_a_helper_without_the_order_scope_cannot_order_even_with_a_crafted_request(client, db):
    await helper_of_karen(client, db, "view")
    before = await counts(db)
    assert (await client.get("/")).status_code == 200
    refused = await reorder(client)
    assert refused.status_code == 403 and "Din fuldmagt dækker ikke dette" in refused.text
    new_order = await client.get("/orders/new")
    assert new_order.status_code == 403
    assert await counts(db) == before


async def test_callbacks_and_delivery_changes_record_the_helper(client, db):
    ole, _power = await helper_of_karen(client, db, "callbacks", "delivery")
    slot = await free_slot(db)
    booked = await client.post("/callbacks/", data=booking_form(slot, await csrf_token(client)), follow_redirects=False)
    assert booked.status_code == 303, booked.text
    saved = await post(client, "/delivery/", method="home", driver_note="Ring på hos naboen")
    assert saved.status_code == 303
    rows = await db.fetch("SELECT action, actor_kind, actor_id FROM audit_log WHERE action IN "
                          "('callback_booked', 'delivery_preference_changed') OR (actor_kind = 'relative' "
                          "AND action LIKE 'delivery%') ORDER BY id")
    assert {r["action"] for r in rows} >= {"callback_booked"} and len(rows) >= 2
    assert all((r["actor_kind"], r["actor_id"]) == ("relative", ole) for r in rows)
    assert (await client.get("/")).status_code == 403  # no "view": not even the home page


async def test_self_only_pages_are_refused_to_a_helper_with_every_scope(client, db):
    await helper_of_karen(client, db, "view", "order", "callbacks", "delivery", "notifications")
    assert (await client.get("/hjaelpere")).status_code == 403
    assert (await post(client, "/notifications/preferences", {"type-delivered": "1"})).status_code == 403
    assert (await post(client, "/logout/everywhere")).status_code == 403
    assert (await post(client, "/hjaelpere/invitations", {"helper_name": "Mallory", "scope": "order"})).status_code == 403
    assert (await counts(db))["invitations"] == 0


async def test_revocation_refuses_the_very_next_request_of_an_open_session(client, db):
    _ole, power = await helper_of_karen(client, db, "view", "order")
    assert (await client.get("/")).status_code == 200
    karen_client_session = dict(client.cookies)
    client.cookies.clear()
    await login(client, await karen(db))
    page = await client.get("/hjaelpere")
    assert "Ole Jensen" in page.text and "Har ikke hjulpet dig endnu" in page.text
    assert (await post(client, f"/hjaelpere/{power}/revoke")).status_code == 303
    assert "Ole Jensen" not in (await client.get("/hjaelpere")).text
    client.cookies.clear()
    client.cookies.update(karen_client_session)  # the helper's session, still open
    before = await counts(db)
    refused = await client.get("/")
    assert refused.status_code == 403 and "Din fuldmagt er ophørt" in refused.text
    assert "Karen Jensen" not in refused.text
    assert (await reorder(client)).status_code == 403
    assert await counts(db) == before
    # The way back to themself still works.
    assert (await act_for(client, "self")).headers["location"] == "/welcome"


async def test_an_expired_power_refuses_the_next_request(client, db):
    _ole, power = await helper_of_karen(client, db, "view")
    assert (await client.get("/orders")).status_code == 200
    await db.execute("UPDATE power_of_attorney SET valid_to = now() - interval '1 second' WHERE id = $1", power)
    assert (await client.get("/orders")).status_code == 403


async def test_a_scope_change_applies_to_the_next_request_and_unknown_scopes_are_refused(client, db):
    _ole, power = await helper_of_karen(client, db, "view", "order")
    helper_cookies = dict(client.cookies)
    client.cookies.clear()
    await login(client, await karen(db))
    bad = await post(client, f"/hjaelpere/{power}/scopes", {"scope": ["view", "everything"]})
    assert bad.status_code == 422
    assert await db.fetchval("SELECT scopes FROM power_of_attorney WHERE id = $1", power) == ["view", "order"]
    assert (await post(client, f"/hjaelpere/{power}/scopes", {"scope": ["view"]})).status_code == 303
    client.cookies.clear()
    client.cookies.update(helper_cookies)
    assert (await reorder(client)).status_code == 403


async def test_a_helper_of_a_cannot_reach_b_and_a_citizen_cannot_change_anothers_helper(client, db):
    _ole, power = await helper_of_karen(client, db, "view", "order")
    mette = await citizen_id_by_cpr(db, NEW_STOMA_CPR)
    mettes_order = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", mette)
    assert (await client.get(f"/orders/{mettes_order}")).status_code == 404
    client.cookies.clear()
    await login(client, mette)
    assert (await post(client, f"/hjaelpere/{power}/revoke")).status_code == 409
    assert await db.fetchval("SELECT revoked_at FROM power_of_attorney WHERE id = $1", power) is None


async def test_the_helpers_language_choice_does_not_change_the_citizens(client, db):
    await helper_of_karen(client, db, "view")
    await post(client, "/language", language="en", next="/")
    assert await db.fetchval("SELECT language FROM citizen WHERE id = $1", await karen(db)) == "da"


async def test_last_activity_is_recorded_at_most_once_a_minute(client, db):
    _ole, power = await helper_of_karen(client, db, "view")
    await db.execute("UPDATE session SET last_seen_at = now() - interval '2 minutes' WHERE acting_for_power_id = $1",
                     power)
    await client.get("/")
    assert await db.fetchval("SELECT last_used_at FROM power_of_attorney WHERE id = $1", power) is not None


async def test_demo_helper_sofie_logs_in_as_herself_and_chooses_karen(client, db):
    sofie_id = await sofie(db)
    login_page = await client.get("/login")
    assert "Sofie Jensen" in login_page.text and "hjælper Karen Jensen" in login_page.text
    assert await login_person(client, sofie_id) == "/fuldmagt/vaelg"
    power = await db.fetchval("SELECT id FROM power_of_attorney WHERE person_id = $1", sofie_id)
    await act_for(client, power)
    home = await client.get("/")
    assert "Du handler for Karen Jensen" in home.text and 'href="/hjaelpere"' not in home.text


async def test_fsc_registers_a_paper_power_with_the_advisor_as_actor(client, db):
    karen_id = await karen(db)
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    url = f"/fsc/citizens/{karen_id}/powers/"
    page = await client.get(url)
    assert page.status_code == 200 and "Sofie Jensen" in page.text
    viewed = await db.fetchrow("SELECT actor_kind, actor_id, citizen_id, detail FROM audit_log "
                               "WHERE action = 'staff_viewed_citizen' ORDER BY id DESC LIMIT 1")
    assert tuple(viewed)[:3] == ("staff", anne, karen_id) and viewed["detail"]["view"] == "powers"
    form = {"helper_name": "Bo Jensen", "helper_cpr": "020260-1234", "source": "paper", "document_ref": "J.nr. 2026-118",
            "valid_to": "2099-12-31", "scope": ["order", "delivery"]}
    assert (await post(client, url, form)).status_code == 303
    power = await db.fetchrow("SELECT * FROM power_of_attorney WHERE source = 'paper'")
    assert power["registered_by"] == anne and power["scopes"] == ["view", "order", "delivery"]
    assert power["document_ref"] == "J.nr. 2026-118" and power["valid_to"] == dt.datetime(2100, 1, 1, tzinfo=COPENHAGEN)  # through its last day
    log = await db.fetchrow("SELECT actor_kind, actor_id FROM audit_log WHERE action = 'power_registered'")
    assert tuple(log) == ("staff", anne)
    # The helper's own MitID login later finds the same person (same keyed CPR hash).
    assert await db.fetchval("SELECT name FROM person WHERE id = $1", power["person_id"]) == "Bo Jensen"


@pytest.mark.parametrize("change", [{"helper_cpr": "12345"}, {"source": "email"}, {"document_ref": ""},
                                    {"scope": ["admin"]}, {"valid_to": "2001-01-01"}, {"helper_cpr": "0703521234"}])
async def test_fsc_bad_registrations_write_nothing(client, db, change):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    url = f"/fsc/citizens/{await karen(db)}/powers/"
    form = {"helper_name": "Bo Jensen", "helper_cpr": "0202601234", "source": "paper", "document_ref": "J.nr. 1",
            "scope": ["view"]} | change
    before = await counts(db)
    response = await post(client, url, form)
    assert response.status_code in (409, 422) and "Intet blev gemt" in response.text
    assert "0202601234" not in response.text  # the CPR number is never echoed back
    assert await counts(db) == before


async def test_the_call_view_shows_the_citizens_helpers(client, db):
    karen_id = await karen(db)
    callback = await book_directly(db, karen_id, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    page = await client.get(f"/fsc/callbacks/{callback}?reason=callback")  # not claimed: the reason is asked
    assert page.status_code == 200
    assert 'data-testid="citizen-helpers"' in page.text and "Sofie Jensen" in page.text
    assert "Se produkter og bestillinger" in page.text and "Invitation i appen" in page.text
