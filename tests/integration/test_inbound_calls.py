"""Inbound calls (issue 15 §2): from the citizen's record the advisor opens a call without a booking;
it is the same call model, call view, outcomes and order by phone as a booked callback. An advisor
can also book a callback for the citizen through the citizen's own booking rules."""

from __future__ import annotations

import re
import uuid

from backend.callbacks.rules import slot_value
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.callback_helpers import free_slot
from tests.integration.test_staff import post, staff_id, staff_login

SUMMARY = "Vi aftalte: prøv konveks basisplade, ring igen om 14 dage."
NOTE = "Intern: hudproblemer nævnt."


async def open_inbound(client, citizen: int, **form: str) -> int:
    opened = await post(client, f"/fsc/citizens/{citizen}/calls", **form)
    assert opened.status_code == 303, opened.text
    return int(re.fullmatch(r"/fsc/callbacks/(\d+)", opened.headers["location"]).group(1))


async def test_inbound_call_with_an_order_by_phone_and_advice_the_citizen_reads(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    call = await open_inbound(client, karen)
    row = await db.fetchrow("SELECT kind, status, claimed_by, slot_start, topic, phone FROM callback WHERE id = $1", call)
    assert tuple(row) == ("inbound", "in_progress", anne, None, None, "+45 28 14 63 07")
    view = (await client.get(f"/fsc/callbacks/{call}")).text
    assert "Opkald med Karen Jensen" in view and 'data-testid="call-kind">Indgående opkald<' in view
    assert 'value="no_answer"' not in view and 'value="advice_given"' in view   # the citizen is on the line
    assert "Giv henvendelsen tilbage" not in view and 'id="order-by-phone"' in view
    reason = await db.fetchval("""SELECT detail->>'reason' FROM audit_log WHERE action = 'staff_viewed_citizen'
                                   AND detail->>'callback_id' = $1""", str(call))
    assert reason == "inbound_call"
    assert f"/fsc/callbacks/{call}" not in (await client.get("/fsc/queue")).text  # not queued: Anne has it

    # Order by phone on the inbound call, exactly as on a booked one.
    grant = await db.fetchval("""SELECT g.id FROM grant_ g JOIN product p ON p.id = g.product_id
                                  WHERE g.citizen_id = $1 AND p.name LIKE 'Comfort Flex Lukket Pose%'""", karen)
    placed = await post(client, f"/fsc/callbacks/{call}/order", **{f"packs-{grant}": "1"},
                        idempotency_key=str(uuid.uuid4()), delivery_method="home")
    assert placed.status_code == 303, placed.text
    order = await db.fetchrow("SELECT placed_by_kind, placed_by_id FROM order_ WHERE citizen_id = $1"
                              " ORDER BY id DESC LIMIT 1", karen)
    assert tuple(order) == ("staff", anne)

    # Bad outcomes write nothing: no topic, "no answer" on an inbound call, a summary over 1,000 characters.
    for form, message in (({"outcome": "order_placed"}, "Vælg, hvad opkaldet handlede om"),
                          ({"outcome": "no_answer", "topic": "order"}, "Vælg resultatet af opkaldet"),
                          ({"outcome": "order_placed", "topic": "order", "summary": "x" * 1001}, "højst være 1000 tegn")):
        refused = await post(client, f"/fsc/callbacks/{call}/outcome", **form)
        assert refused.status_code == 422 and message in refused.text, form
        assert await db.fetchval("SELECT status FROM callback WHERE id = $1", call) == "in_progress"

    done = await post(client, f"/fsc/callbacks/{call}/outcome", outcome="order_placed", topic="product",
                      note=NOTE, summary=SUMMARY)
    assert done.status_code == 303 and done.headers["location"] == f"/fsc/citizens/{karen}?reason=inbound_call"
    row = await db.fetchrow("SELECT status, topic, outcome, citizen_summary, outcome_note FROM callback WHERE id = $1",
                            call)
    assert tuple(row) == ("done", "product", "order_placed", SUMMARY, NOTE)

    client.cookies.clear()
    await login(client, karen)
    mine = (await client.get("/callbacks")).text
    block = re.search(rf'id="callback-{call}".*?</li>', mine, re.S).group(0)
    assert SUMMARY in block and "Anne" in block and "Du ringede til os" in block and "Gennemført" in block
    assert NOTE not in mine and "Intern" not in mine


async def test_an_inbound_call_in_progress_is_not_shown_to_the_citizen_nor_counted_as_booked(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await staff_login(client, await staff_id(db, "Anne Holm"))
    call = await open_inbound(client, karen, topic="grant")
    assert await db.fetchval("SELECT topic FROM callback WHERE id = $1", call) == "grant"
    client.cookies.clear()
    await login(client, karen)
    assert f'id="callback-{call}"' not in (await client.get("/callbacks")).text


async def test_inbound_call_for_a_citizen_who_does_not_exist(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    before = await db.fetchval("SELECT count(*) FROM callback")
    response = await post(client, "/fsc/citizens/987654321/calls", topic="order")
    assert response.status_code == 404 and "Der er ingen borger med det nummer" in response.text
    booked = await post(client, "/fsc/citizens/987654321/callbacks", topic="order",
                        slot=slot_value(await free_slot(db)), phone="28 14 63 07")
    assert booked.status_code == 404 and "Der er ingen borger med det nummer" in booked.text
    assert await db.fetchval("SELECT count(*) FROM callback") == before


async def test_a_citizen_session_cannot_open_calls(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, karen)
    response = await client.post(f"/fsc/citizens/{karen}/calls",
                                 data={"topic": "order", "_csrf_token": await csrf_token(client)})
    assert response.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM callback WHERE kind = 'inbound'") == 0


async def test_advisor_books_a_callback_for_the_citizen_through_the_same_rules(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    form = (await client.get(f"/fsc/citizens/{karen}/callbacks/new?reason=inbound_call")).text
    assert "Book et opkald til Karen Jensen" in form and 'value="+45 28 14 63 07"' in form
    slot = await free_slot(db)
    before = await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1", karen)

    # A full slot (capacity 0) is refused as it is for the citizen; nothing is written.
    await db.execute("INSERT INTO callback_slot (slot_start, capacity) VALUES ($1, 0)", slot)
    full = await post(client, f"/fsc/citizens/{karen}/callbacks", topic="product", slot=slot_value(slot),
                      phone="28 14 63 07", reason="inbound_call")
    assert full.status_code == 422 and "fuldt booket" in full.text
    missing = await post(client, f"/fsc/citizens/{karen}/callbacks", slot=slot_value(slot), phone="1")
    assert missing.status_code == 422 and "Vælg, hvad opkaldet handler om" in missing.text
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1", karen) == before

    await db.execute("UPDATE callback_slot SET capacity = NULL WHERE slot_start = $1", slot)
    booked = await post(client, f"/fsc/citizens/{karen}/callbacks", topic="product", slot=slot_value(slot),
                        phone="28 14 63 07", note="Sygeplejersken ringer tilbage", reason="inbound_call")
    assert booked.status_code == 303 and booked.headers["location"] == f"/fsc/citizens/{karen}?reason=inbound_call"
    row = await db.fetchrow("SELECT id, kind, status, slot_start FROM callback WHERE citizen_id = $1"
                            " ORDER BY id DESC LIMIT 1", karen)
    assert (row["kind"], row["status"], row["slot_start"]) == ("booked", "waiting", slot)
    logged = await db.fetchrow("SELECT actor_kind, actor_id FROM audit_log WHERE action = 'callback_booked'"
                               " AND citizen_id = $1 ORDER BY id DESC LIMIT 1", karen)
    assert tuple(logged) == ("staff", anne)
    reminder = await db.fetchval("SELECT count(*) FROM pgqueuer WHERE dedupe_key = $1",
                                 f"callback_reminder:{row['id']}:1")
    assert reminder == 1  # the citizen gets the reminder as for their own booking
