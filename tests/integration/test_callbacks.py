"""Citizen callbacks through the ASGI app: book, list, cancel, move; refusals write nothing; races."""

import asyncio
import datetime as dt
import re

import msgspec

from backend.callbacks import booking
from backend.callbacks.models import Booking
from backend.callbacks.rules import TZ, slot_value
from backend.db.pool import connect
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.callback_helpers import (
    book_directly,
    booking_form,
    counts,
    free_slot,
    new_citizens,
    now,
)
from tests.integration.test_home import make_citizen


async def test_home_links_to_call_me_and_my_calls(client, db):
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    html = (await client.get("/")).text
    assert 'href="/callbacks/new"' in html and "Ring mig op" in html
    assert 'href="/callbacks"' in html and "Mine opkald" in html


async def test_form_offers_topics_ten_days_slots_with_capacity_and_the_phone(client, db):
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    slot = await free_slot(db, day_index=0, slot_index=0)
    # one place of the first slot is taken by somebody else
    await book_directly(db, (await new_citizens(db, 1))[0], slot)
    page = await client.get("/callbacks/new")
    assert page.status_code == 200
    html = page.text
    for topic in ("Min bevilling", "En bestilling eller en levering", "Produktrådgivning", "Andet"):
        assert topic in html
    assert len(re.findall(r'class="button button-(?:primary|secondary) day-link"', html)) == 10
    assert 'value="+45 28 14 63 07"' in html
    slot_input = re.search(rf'value="{re.escape(slot_value(slot))}"[^>]*>\s*<label[^>]*>[^<]*</label>\s*'
                           r'<span[^>]*>([^<]*)</span>', html)
    assert slot_input and slot_input.group(1) == "1 ledig plads"
    assert "2 ledige pladser" in html


async def test_day_picker_is_a_fragment_for_htmx(client, db):
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    day = (await free_slot(db, day_index=3)).date().isoformat()
    fragment = await client.get(f"/callbacks/new?day={day}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="slot-picker"')
    assert "<html" not in fragment.text and 'aria-current="date"' in fragment.text
    assert day in re.search(r'hx-get="[^"]*day=([^"]+)"[^>]*aria-current', fragment.text.replace("\n", " ")).group(1)
    full = await client.get(f"/callbacks/new?day={day}")
    assert "<html" in full.text and 'name="topic"' in full.text


async def test_booking_writes_callback_reminder_and_audit(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    slot = await free_slot(db)
    form = booking_form(slot, await csrf_token(client), phone="0045 2814 6307")
    response = await client.post("/callbacks", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    callback_id = int(response.headers["location"].split("booked=")[1])
    row = await db.fetchrow("SELECT * FROM callback WHERE id = $1", callback_id)
    assert (row["citizen_id"], row["slot_start"], row["topic"], row["phone"], row["note"], row["status"]) == (
        citizen, slot, "product", "+45 28 14 63 07", "Basispladen lækker", "waiting")
    job = await db.fetchrow("SELECT payload, execute_after, dedupe_key FROM pgqueuer"
                            " WHERE entrypoint = 'callback_reminder' AND dedupe_key LIKE $1",
                            f"callback_reminder:{callback_id}:%")
    assert msgspec.json.decode(job["payload"]) == {"callback_id": callback_id, "citizen_id": citizen,
                                                   "slot_start": slot_value(slot), "version": 1}
    assert abs(job["execute_after"] - (slot - dt.timedelta(minutes=30))) < dt.timedelta(seconds=30)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'callback_booked' AND citizen_id = $1",
                             citizen) == 1
    page = (await client.get(response.headers["location"])).text
    assert "Dit opkald er bestilt" in page and "+45 28 14 63 07" in page
    assert re.search(rf'id="callback-{callback_id}".*?data-testid="callback-status">Bestilt<', page, re.S)


async def test_bad_input_is_refused_with_a_translated_error_and_nothing_written(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    token = await csrf_token(client)
    slot = await free_slot(db)
    earlier_days = [now().date() - dt.timedelta(days=i) for i in range(1, 8)]
    past = dt.datetime.combine(next(d for d in earlier_days if d.weekday() < 5), dt.time(10), TZ)
    saturday = slot.date() + dt.timedelta(days=(5 - slot.date().weekday()) % 7)
    closed = dt.datetime.combine(saturday, dt.time(10), TZ)
    cases = [
        ({"topic": ""}, "Vælg, hvad opkaldet handler om."),
        ({"topic": "lottery"}, "Vælg, hvad opkaldet handler om."),
        ({"phone": "1234"}, "Skriv et dansk telefonnummer med 8 cifre"),
        ({"phone": "+46 28 14 63 07"}, "Skriv et dansk telefonnummer med 8 cifre"),
        ({"slot": ""}, "Vælg et tidspunkt for opkaldet."),
        ({"slot": slot_value(past)}, "Det tidspunkt er overstået."),
        ({"slot": slot_value(closed)}, "Fælles Service Center har lukket på det tidspunkt."),
        ({"slot": slot_value(slot + dt.timedelta(minutes=15))}, "Det er ikke et af de tidspunkter"),
        ({"note": "x" * 501}, "Noten må højst være 500 tegn lang."),
    ]
    before = await counts(db)
    for overrides, message in cases:
        response = await client.post("/callbacks", data=booking_form(slot, token, **overrides))
        assert response.status_code == 422, overrides
        assert message in response.text, overrides
        assert 'name="topic"' in response.text  # the form again, with what was typed
    assert await counts(db) == before


async def test_full_slot_cannot_be_booked(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    slot = await free_slot(db)
    others = await new_citizens(db, 2)
    for other in others:
        await book_directly(db, other, slot)                # capacity 2 is now used
    await login(client, citizen)
    page = (await client.get(f"/callbacks/new?day={slot.date().isoformat()}")).text
    full_input = re.search(rf'<input[^>]*value="{re.escape(slot_value(slot))}"[^>]*>', page).group(0)
    assert "disabled" in full_input and "Optaget" in page
    before = await counts(db)
    response = await client.post("/callbacks", data=booking_form(slot, await csrf_token(client)))
    assert response.status_code == 422
    assert "Det tidspunkt er lige blevet fuldt booket." in response.text
    assert await counts(db) == before


async def test_third_open_callback_is_refused(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await book_directly(db, citizen, await free_slot(db, 4, 1))
    await book_directly(db, citizen, await free_slot(db, 5, 1))
    await login(client, citizen)
    page = (await client.get("/callbacks/new")).text
    assert "Du har allerede bestilt 2 opkald" in page and 'name="topic"' not in page
    before = await counts(db)
    response = await client.post("/callbacks", data=booking_form(await free_slot(db, 6), await csrf_token(client)))
    assert response.status_code == 422
    assert "Du har allerede bestilt 2 opkald. Aflys eller flyt et af dem" in response.text
    assert await counts(db) == before


async def test_cancel_own_callback_frees_the_place(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    slot = await free_slot(db)
    callback = await book_directly(db, citizen, slot)
    await login(client, citizen)
    response = await client.post(f"/callbacks/{callback}/cancel", data={"_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert response.status_code == 303
    assert await db.fetchval("SELECT status FROM callback WHERE id = $1", callback) == "cancelled"
    page = (await client.get("/callbacks?done=cancelled")).text
    assert "Opkaldet er aflyst" in page and "Aflyst" in page
    # the place is free again: two more citizens fit in the slot
    for other in await new_citizens(db, 2):
        await book_directly(db, other, slot)
    # and a cancelled call cannot be cancelled again
    again = await client.post(f"/callbacks/{callback}/cancel", data={"_csrf_token": await csrf_token(client)},
                              follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/callbacks"  # told why, on "Mine opkald"
    assert "Opkaldet kan ikke længere ændres." in (await client.get("/callbacks")).text
    # Its confirm page is not offered any more either.
    confirm = await client.get(f"/callbacks/{callback}/cancel", follow_redirects=False)
    assert confirm.status_code == 303


async def test_cannot_cancel_or_move_someone_elses_callback(client, db):
    me = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    other = (await new_citizens(db, 1))[0]
    theirs = await book_directly(db, other, await free_slot(db))
    await login(client, me)
    token = await csrf_token(client)
    before = await counts(db)
    cancel = await client.post(f"/callbacks/{theirs}/cancel", data={"_csrf_token": token})
    assert cancel.status_code == 404 and "Siden findes ikke" in cancel.text
    move = await client.post(f"/callbacks/{theirs}/move", data={"slot": slot_value(await free_slot(db, 6)),
                                                                "_csrf_token": token})
    assert move.status_code == 404
    assert (await client.get(f"/callbacks/{theirs}/move")).status_code == 404
    assert await counts(db) == before
    assert await db.fetchval("SELECT status FROM callback WHERE id = $1", theirs) == "waiting"


async def test_move_takes_a_new_place_and_queues_a_new_reminder(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    old_slot, new_slot = await free_slot(db, 4), await free_slot(db, 6, 3)
    callback = await book_directly(db, citizen, old_slot)
    await login(client, citizen)
    form = (await client.get(f"/callbacks/{callback}/move")).text
    assert "Flyt opkaldet" in form
    response = await client.post(f"/callbacks/{callback}/move",
                                 data={"slot": slot_value(new_slot), "_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert response.status_code == 303
    row = await db.fetchrow("SELECT slot_start, status, version FROM callback WHERE id = $1", callback)
    assert (row["slot_start"], row["status"], row["version"]) == (new_slot, "waiting", 2)
    jobs = await db.fetch("SELECT dedupe_key, payload FROM pgqueuer WHERE dedupe_key LIKE $1 ORDER BY id",
                          f"callback_reminder:{callback}:%")
    assert [j["dedupe_key"] for j in jobs] == [f"callback_reminder:{callback}:1", f"callback_reminder:{callback}:2"]
    assert msgspec.json.decode(jobs[1]["payload"])["slot_start"] == slot_value(new_slot)
    # moving to a full slot is refused and nothing changes
    for other in await new_citizens(db, 2):
        await book_directly(db, other, old_slot)
    before = await counts(db)
    refused = await client.post(f"/callbacks/{callback}/move",
                                data={"slot": slot_value(old_slot), "_csrf_token": await csrf_token(client)})
    assert refused.status_code == 422 and "fuldt booket" in refused.text
    assert await counts(db) == before


async def test_twenty_citizens_race_for_the_last_place(db, db_url):
    slot = await free_slot(db)
    await book_directly(db, (await new_citizens(db, 1, "Først"))[0], slot)   # 1 of 2 places taken
    citizens = await new_citizens(db, 20)
    connections = await asyncio.gather(*(connect(db_url) for _ in citizens))
    started = asyncio.Event()

    async def attempt(conn, citizen):
        await started.wait()
        try:
            await booking.book(conn, citizen, Booking("order", slot, "+45 28 14 63 07", ""), now())
            return "booked"
        except booking.BookingError as exc:
            return exc.code

    try:
        tasks = [asyncio.create_task(attempt(conn, citizen)) for conn, citizen in zip(connections, citizens)]
        started.set()
        results = await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(conn.close() for conn in connections))
    assert sorted(results) == ["booked"] + ["full"] * 19
    assert await db.fetchval("SELECT count(*) FROM callback WHERE slot_start = $1", slot) == 2


async def test_one_citizen_racing_themselves_gets_at_most_two(db, db_url):
    citizen = await make_citizen(db, "Dobbelt Klik", "1212121212")
    slots = [await free_slot(db, 4 + i % 4, i) for i in range(6)]
    connections = await asyncio.gather(*(connect(db_url) for _ in slots))

    async def attempt(conn, slot):
        try:
            await booking.book(conn, citizen, Booking("other", slot, "+45 28 14 63 07", ""), now())
            return "booked"
        except booking.BookingError as exc:
            return exc.code

    try:
        results = await asyncio.gather(*(attempt(c, s) for c, s in zip(connections, slots)))
    finally:
        await asyncio.gather(*(conn.close() for conn in connections))
    assert sorted(results) == ["booked", "booked"] + ["too_many"] * 4
    assert await db.fetchval("SELECT count(*) FROM callback WHERE citizen_id = $1", citizen) == 2
