"""Issue 14 §5, "Hent alle dine data": everything about the citizen as one JSON file, for the
citizen themself only; the advisor's summary is in it, FSC's internal note and the CPR hash never;
every download is in the audit log."""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from backend.delivery.queries import insert_temporary_address, upsert_preference
from backend.parcels.queries import insert_event
from backend.push.queries import save_preferences, upsert_subscription
from backend.seed.demo import MAIN_DEMO_CPR, NEW_STOMA_CPR
from backend.transparency.export_models import DataExport
from tests.conftest import citizen_id_by_cpr, login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.log_helpers import helper_did, make_helper, staff_did
from tests.integration.test_staff import post, staff_id, staff_login

SUMMARY = "Vi aftalte at prøve en konveks basisplade."
NOTE = "Intern: overvej henvisning til stomisygeplejerske."
ENDPOINT = "https://push.example/export-karen"


async def karen_with_everything(client, db) -> tuple[int, int, int]:
    """Karen (demo) with a finished call, a helper's order, settings, a device and a staff view."""
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, karen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await post(client, f"/fsc/callbacks/{callback}/claim")).status_code == 303
    done = await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given", note=NOTE, summary=SUMMARY)
    assert done.status_code == 303
    client.cookies.clear()
    daughter = await make_helper(db, "Sofie Jensen")
    order_id = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", karen)
    await db.execute("UPDATE order_ SET placed_by_kind = 'relative', placed_by_id = $2 WHERE id = $1", order_id, daughter)
    await helper_did(db, daughter, karen, "order_placed", order_id=order_id)
    await staff_did(db, await staff_id(db, "Peter Vang"), karen, "staff_viewed_citizen", reason="inbound_call")
    await insert_event(db, "export-test-1", order_id, 1, "received", dt.datetime.now(dt.UTC), {"secret": "raw body"})
    today = dt.date.today()
    await insert_temporary_address(db, karen, "Sommerhusvej 3", "8400", "Ebeltoft", today, today + dt.timedelta(days=7))
    await upsert_preference(db, karen, "home", None, True, "Ring på to gange")
    await upsert_subscription(db, karen, ENDPOINT, "p256dh-secret", "auth-secret", "da", "Karens iPhone")
    await save_preferences(db, karen, {"time_to_reorder": False})
    return karen, order_id, callback


async def test_the_export_holds_the_citizen_s_data_and_the_summary_but_no_note_and_no_cpr_hash(client, db):
    karen, order_id, callback = await karen_with_everything(client, db)
    await login(client, karen)
    response = await client.get("/mine-data.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert re.fullmatch(r'attachment; filename="mine-data-\d{4}-\d{2}-\d{2}\.json"',
                        response.headers["content-disposition"])
    assert response.headers["cache-control"] == "no-store"
    export = msgspec.json.decode(response.content, type=DataExport, strict=True)  # the documented shape

    assert (export.profile.name, export.profile.street, export.profile.municipality) == (
        "Karen Jensen", "Skovvangsvej 41, 1. th.", "Aarhus")
    assert export.grants and all(g.payer for g in export.grants)
    assert len(export.orders) == await db.fetchval("SELECT count(*) FROM order_ WHERE citizen_id = $1", karen)
    helped = next(o for o in export.orders if o.id == order_id)
    assert (helped.placed_by.kind, helped.placed_by.name, helped.placed_by.role) == (
        "relative", "Sofie Jensen", "Din hjælper")
    assert helped.lines and helped.history[0].event == "placed"
    assert [(e.type, e.description) for e in helped.parcels[0].events] == [
        ("received", "Lageret har modtaget din bestilling")]
    call = next(c for c in export.callbacks if c.id == callback)
    assert (call.summary_for_you, call.advisor_first_name, call.status) == (SUMMARY, "Anne", "done")
    assert export.delivery_preference.leave_at_door_allowed and export.delivery_preference.driver_note == "Ring på to gange"
    assert "Sommerhusvej 3" in [a.street for a in export.temporary_addresses]  # besides the demo one
    assert [d.label for d in export.devices] == ["Karens iPhone"]
    reorder = next(p for p in export.notification_preferences if p.type == "time_to_reorder")
    assert reorder.enabled is False
    assert [(e.who, e.role, e.what, e.reason) for e in export.log[:2]] == [
        ("Peter Vang", "Teamleder", "Åbnede dine oplysninger", "Du ringede til Fælles Service Center"),
        ("Sofie Jensen", "Din hjælper", "Bestilte produkter", None)]

    body = response.text
    cpr_hash = await db.fetchval("SELECT cpr_hash FROM citizen WHERE id = $1", karen)
    for secret in (NOTE, "Intern", "outcome_note", "cpr", MAIN_DEMO_CPR, cpr_hash.hex(), ENDPOINT, "p256dh-secret",
                   "auth-secret", "raw body", "idempotency", "request_hash"):
        assert secret not in body, secret

    logged = await db.fetch("SELECT actor_kind, actor_id, detail FROM audit_log WHERE citizen_id = $1 "
                            "AND action = 'data_exported'", karen)
    assert [(r["actor_kind"], r["actor_id"]) for r in logged] == [("citizen", karen)]
    await client.get("/mine-data.json")
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'data_exported'") == 2
    # The citizen's own download is in the audit log but not in their log of helpers and staff.
    assert "Hentede alle dine data" not in (await client.get("/hvem-har-set")).text


async def test_citizen_b_cannot_get_citizen_a_s_export(client, db):
    karen, _order, _callback = await karen_with_everything(client, db)
    mette = await citizen_id_by_cpr(db, NEW_STOMA_CPR)
    await login(client, mette)
    for url in ("/mine-data.json", f"/mine-data.json?citizen_id={karen}", f"/mine-data.json?id={karen}"):
        response = await client.get(url)
        assert response.status_code == 200
        export = msgspec.json.decode(response.content, type=DataExport)
        assert export.profile.name == "Mette Laursen"
        for marker in ("Karen", "Skovvangsvej", SUMMARY, "Sofie Jensen", "Sommerhusvej", "Karens iPhone"):
            assert marker not in response.text, (url, marker)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'data_exported' AND citizen_id = $1",
                             karen) == 0


async def test_signed_out_or_staff_get_no_export_and_nothing_is_logged(client, db):
    anonymous = await client.get("/mine-data.json", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get("/mine-data.json", follow_redirects=False)).status_code == 303
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'data_exported'") == 0


WISH_NOTE = "Pladen slipper om natten."


async def test_the_export_holds_the_helpers_invitations_and_change_requests_but_no_hashes(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)  # the demo gives her daughter Sofie a power
    anne = await staff_id(db, "Anne Holm")
    uncle = await make_helper(db, "Ole Onkel")
    await db.execute("INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source, document_ref, registered_by, "
                     "revoked_at) VALUES ($1, $2, '{view}', 'paper', 'PAPIR-77', $3, now())", karen, uncle, anne)
    token_hash, code_hash = bytes.fromhex("ab" * 32), bytes.fromhex("cd" * 32)
    await db.execute("INSERT INTO power_invitation (citizen_id, helper_name, scopes, token_hash, code_hash) "
                     "VALUES ($1, 'Bo Barnebarn', '{view,callbacks}', $2, $3)", karen, token_hash, code_hash)
    grant, product = await db.fetchrow("SELECT id, product_id FROM grant_ WHERE citizen_id = $1 AND valid_to IS NULL "
                                       "AND NOT EXISTS (SELECT 1 FROM change_request r WHERE r.grant_id = grant_.id "
                                       "AND r.status = 'open') ORDER BY id LIMIT 1", karen)
    wanted = await db.fetchrow("SELECT id, name FROM product WHERE id <> $1 ORDER BY id LIMIT 1", product)
    await db.execute("INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, "
                     "reason, note, created_by_kind, created_by_id, due_on) SELECT $1, $2, $3, $4, payer_id, 'leaks', "
                     "$5, 'citizen', $1, current_date + 2 FROM grant_ WHERE id = $2",
                     karen, grant, product, wanted["id"], WISH_NOTE)
    await login(client, karen)
    response = await client.get("/mine-data.json")
    assert response.status_code == 200
    export = msgspec.json.decode(response.content, type=DataExport, strict=True)

    powers = {p.helper_name: p for p in export.helpers.powers}
    sofie = powers["Sofie Jensen"]
    assert (sofie.source, sofie.revoked_at) == ("invitation", None) and sofie.scope_labels
    ole = powers["Ole Onkel"]
    assert (ole.source, ole.source_label, ole.document_ref, ole.scopes, ole.scope_labels) == (
        "paper", "Fuldmagt på papir", "PAPIR-77", ["view"], ["Se produkter og bestillinger"])
    assert ole.revoked_at is not None
    assert [(i.helper_name, i.scopes) for i in export.helpers.open_invitations] == [("Bo Barnebarn", ["view", "callbacks"])]
    request = next(r for r in export.change_requests if r.your_note == WISH_NOTE)
    assert (request.wanted_product, request.reason, request.status, request.decided_at) == (
        wanted["name"], "leaks", "open", None)
    assert request.reason_label and request.status_label

    body = response.text
    person_hashes = [r["cpr_hash"].hex() for r in await db.fetch("SELECT cpr_hash FROM person")]
    for secret in (token_hash.hex(), code_hash.hex(), "token_hash", "code_hash", "cpr_hash", *person_hashes):
        assert secret not in body, secret
