"""The FSC staff console through the ASGI app: access, queue, claim, call view, outcomes, capacity."""

import asyncio
import datetime as dt
import re

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.callbacks.rules import TZ, slot_value
from backend.db.pool import connect, create_pool
from backend.seed.demo import MAIN_DEMO_CPR
from backend.callbacks import staff_queries as cq
from backend.housekeeping import housekeeping
from tests.conftest import citizen_id_by_cpr, csrf_token, login, make_settings, page_csrf_token
from tests.integration.callback_helpers import book_directly, booking_form, counts, free_slot, new_citizens


async def staff_id(db, name: str) -> int:
    return await db.fetchval("SELECT id FROM staff WHERE name = $1", name)


async def staff_login(client, member_id: int, landing: str = "/fsc/queue") -> None:
    """Demo login as ``member_id``; FSC staff land on the queue, caseworkers on /fsc/sag."""
    response = await client.post("/fsc/login/demo", data={"staff_id": str(member_id),
                                                          "_csrf_token": await page_csrf_token(client, "/fsc/login")},
                                 follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == landing


async def post(client, url: str, **data: str):
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client, url)}, follow_redirects=False)


async def test_access_needs_a_staff_session_and_the_right_role(client, db):
    anonymous = await client.get("/fsc/queue", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/fsc/login?next=/fsc/queue"
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    for url in ("/fsc/queue", "/fsc/capacity", "/fsc/reports", "/fsc/callbacks/1"):
        response = await client.get(url, follow_redirects=False)
        assert response.status_code == 403, url
        assert "Ingen adgang" in response.text
    refused = await post(client, "/fsc/callbacks/1/claim")
    assert refused.status_code == 403
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))
    cookie = next(c for c in client.cookies.jar if c.name == "fsc_staff_session")
    assert cookie.path == "/fsc"
    assert (await client.get("/fsc/queue")).status_code == 200
    assert (await client.get("/fsc/capacity")).status_code == 403       # advisor: no capacity settings
    assert (await client.get("/fsc/reports")).status_code == 403
    assert (await client.get("/", follow_redirects=False)).status_code == 303   # not a citizen session
    logins = "SELECT count(*) FROM audit_log WHERE actor_kind = 'staff' AND action = 'staff_login'"
    assert await db.fetchval(logins) == 1


async def test_expired_staff_session_means_logged_out_and_is_cleaned_up(client, db, db_url):
    await staff_login(client, await staff_id(db, "Maria Lind"))
    await db.execute("UPDATE staff_session SET expires_at = now() - interval '1 minute'")
    response = await client.get("/fsc/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/fsc/login")
    polled = await client.get("/fsc/queue", headers={"HX-Request": "true"}, follow_redirects=False)
    assert polled.headers["HX-Redirect"] == "/fsc/login?next=/fsc/queue"
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        await housekeeping(pool)
    finally:
        await pool.close()
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 0


async def test_demo_staff_login_refuses_unknown_and_is_off_in_production(client, db, db_url):
    page = (await client.get("/fsc/login")).text
    for name in ("Anne Holm", "Jonas Friis", "Maria Lind", "Peter Vang"):
        assert name in page
    for value in ("999999", "abc", ""):
        response = await post(client, "/fsc/login/demo", staff_id=value)
        assert response.status_code == 422 and "Vælg en medarbejder på listen." in response.text
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 0
    app = create_app(make_settings(demo_login=False), database_url=db_url)
    async with AsyncTestClient(app=app) as production:
        assert "Peter Vang" not in (await production.get("/fsc/login")).text
        response = await production.post("/fsc/login/demo", data={"staff_id": "1",
                                                                   "_csrf_token": await csrf_token(production)})
        assert response.status_code == 404


async def test_queue_lists_requests_by_slot_and_updates_without_reload(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    page = (await client.get("/fsc/queue")).text
    seeded = await db.fetch("SELECT id FROM callback WHERE status = 'waiting' ORDER BY slot_start, id")
    shown = [int(i) for i in re.findall(r'<tr id="request-(\d+)"', page)]
    assert shown[:len(seeded)] == [r["id"] for r in seeded] and len(seeded) == 4
    version = re.search(r'hx-get="/fsc/queue\?since=([0-9a-f]+)"', page).group(1)
    assert 'hx-trigger="every 5s"' in page
    poll = {"HX-Request": "true"}
    unchanged = await client.get(f"/fsc/queue?since={version}", headers=poll)
    assert unchanged.status_code == 204 and unchanged.content == b""
    newcomer = (await new_citizens(db, 1, "Ny"))[0]
    await book_directly(db, newcomer, await free_slot(db))
    changed = await client.get(f"/fsc/queue?since={version}", headers=poll)
    assert changed.status_code == 200
    assert "<html" not in changed.text and "Ny Borger 0" in changed.text
    assert 'hx-swap-oob="innerHTML"' in changed.text and "Køen er opdateret: 5 henvendelser venter." in changed.text


async def test_claim_open_record_outcome_and_the_citizen_sees_done(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, citizen, await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    claimed = await post(client, f"/fsc/callbacks/{callback}/claim")
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/fsc/callbacks/{callback}"
    row = await db.fetchrow("SELECT status, claimed_by FROM callback WHERE id = $1", callback)
    assert (row["status"], row["claimed_by"]) == ("in_progress", anne)
    view = (await client.get(f"/fsc/callbacks/{callback}")).text
    assert "Opkald med Karen Jensen" in view and "+45 28 14 63 07" in view
    assert 'id="order-by-phone"' in view and "Comfort Flex Basisplade" in view        # grants, read-only
    last_order = await db.fetchval("SELECT id FROM order_ WHERE citizen_id = $1 ORDER BY placed_at DESC LIMIT 1",
                                   citizen)
    assert f"<td>{last_order}</td>" in view
    logged = await db.fetch("SELECT actor_id, detail FROM audit_log WHERE action = 'staff_viewed_citizen'"
                            " AND citizen_id = $1", citizen)
    assert [(r["actor_id"], r["detail"]) for r in logged] == [
        (anne, {"view": "call", "callback_id": callback, "reason": "callback"})]
    done = await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given",
                      note="Anbefalet tætningsring.")
    assert done.status_code == 303 and done.headers["location"] == "/fsc/queue"
    queue = (await client.get("/fsc/queue")).text  # the saved outcome is confirmed there, once
    assert 'data-testid="flash"' in queue and "Resultatet er gemt, og henvendelsen er afsluttet." in queue
    assert 'data-testid="flash"' not in (await client.get("/fsc/queue")).text
    row = await db.fetchrow("SELECT status, outcome, outcome_note, claimed_by FROM callback WHERE id = $1", callback)
    assert tuple(row) == ("done", "advice_given", "Anbefalet tætningsring.", anne)
    await login(client, citizen)
    mine = (await client.get("/callbacks")).text
    assert re.search(rf'id="callback-{callback}".*?data-testid="callback-status">Gennemført<', mine, re.S)


async def test_a_claimed_request_cannot_be_claimed_again_nor_closed_by_another(client, db):
    callback = await book_directly(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR), await free_slot(db))
    await cq.claim(db, callback, await staff_id(db, "Jonas Friis"))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    before = await counts(db)
    other_events = "SELECT count(*) FROM audit_log WHERE action <> 'staff_viewed_citizen'"
    events_before = await db.fetchval(other_events)
    again = await post(client, f"/fsc/callbacks/{callback}/claim")
    assert again.status_code == 409
    assert "En anden rådgiver har allerede taget henvendelsen" in again.text
    outcome = await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given")
    assert outcome.status_code == 409 and "Du kan kun registrere resultatet" in outcome.text
    release = await post(client, f"/fsc/callbacks/{callback}/release")
    assert release.status_code == 409
    after = await counts(db)
    # only the access log grew (the refused pages showed the citizen's data); the request is unchanged
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    assert await db.fetchval(other_events) == events_before
    row = await db.fetchrow("SELECT status, claimed_by FROM callback WHERE id = $1", callback)
    assert (row["status"], row["claimed_by"]) == ("in_progress", await staff_id(db, "Jonas Friis"))


async def test_outcome_needs_a_choice(client, db):
    callback = await book_directly(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR), await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await cq.claim(db, callback, anne)
    await staff_login(client, anne)
    for data in ({"outcome": ""}, {"outcome": "magic"}, {"outcome": "advice_given", "note": "x" * 2001}):
        before = await db.fetchrow("SELECT status, outcome, updated_at FROM callback WHERE id = $1", callback)
        response = await post(client, f"/fsc/callbacks/{callback}/outcome", **data)
        assert response.status_code == 422
        assert "Vælg resultatet af opkaldet." in response.text or "Noten må højst være 2000 tegn" in response.text
        assert await db.fetchrow("SELECT status, outcome, updated_at FROM callback WHERE id = $1", callback) == before


async def test_no_answer_goes_back_to_the_queue_three_times_then_the_citizen_is_told(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, citizen, await free_slot(db))
    advisors = [await staff_id(db, n) for n in ("Anne Holm", "Jonas Friis", "Maria Lind")]
    for attempt, advisor in enumerate(advisors, 1):
        client.cookies.clear()
        await staff_login(client, advisor)
        assert (await post(client, f"/fsc/callbacks/{callback}/claim")).status_code == 303
        assert (await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="no_answer")).status_code == 303
        row = await db.fetchrow("SELECT status, attempts, claimed_by FROM callback WHERE id = $1", callback)
        if attempt < 3:
            assert (row["status"], row["attempts"], row["claimed_by"]) == ("no_answer", attempt, None)
            queue = (await client.get("/fsc/queue")).text
            assert re.search(rf'id="request-{callback}".*?Intet svar.*?Forsøg {attempt + 1} af 3.*?Tag', queue, re.S)
    assert (row["status"], row["attempts"]) == ("failed", 3)
    job = await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'callback_unreachable'"
                            " AND dedupe_key = $1", f"callback_unreachable:{callback}")
    assert job == 1
    await login(client, citizen)
    mine = (await client.get("/callbacks")).text
    assert "Vi har ringet til dig 3 gange uden svar." in mine


async def test_ten_advisors_claim_one_request_exactly_one_wins(db, db_url):
    callback = await book_directly(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR), await free_slot(db))
    advisors = [await db.fetchval("INSERT INTO staff (name, email, role) VALUES ($1, $2, 'advisor') RETURNING id",
                                  f"Rådgiver {i}", f"r{i}@fsc.example") for i in range(10)]
    connections = await asyncio.gather(*(connect(db_url) for _ in advisors))
    try:
        results = await asyncio.gather(*(cq.claim(c, callback, a) for c, a in zip(connections, advisors)))
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    winners = [a for a, r in zip(advisors, results) if r is not None]
    assert len(winners) == 1
    assert await db.fetchval("SELECT claimed_by FROM callback WHERE id = $1", callback) == winners[0]


async def test_supervisor_changes_capacity_without_dropping_bookings(client, db):
    peter = await staff_id(db, "Peter Vang")
    await staff_login(client, peter)
    page = (await client.get("/fsc/capacity")).text
    assert 'value="08:00"' in page and 'value="15:00"' in page and 'value="14:00"' in page
    slot = await free_slot(db, slot_index=-1)                     # the day's last slot: after 13:00
    booked = await book_directly(db, await citizen_id_by_cpr(db, MAIN_DEMO_CPR), slot)
    form = {f"opens_{d}": "08:00" for d in range(5)} | {f"closes_{d}": "13:00" for d in range(5)}
    form |= {"opens_5": "", "closes_5": "", "opens_6": "", "closes_6": "", "slot_minutes": "30",
             "advisors_per_slot": "3", "closed_12-24": "on", "closed_12-31": "on"}
    before = await counts(db)
    settings_before = await db.fetchrow("SELECT * FROM callback_settings")
    warned = await post(client, "/fsc/capacity", **form)
    assert warned.status_code == 409
    assert "uden for de nye åbningstider" in warned.text and 'name="confirm"' in warned.text
    assert await counts(db) == before and await db.fetchrow("SELECT * FROM callback_settings") == settings_before
    for bad in ({"advisors_per_slot": "x"}, {"opens_0": "16:00"}, {"closes_1": ""}, {"slot_minutes": "7"}):
        refused = await post(client, "/fsc/capacity", **(form | bad))
        assert refused.status_code == 422, bad
    assert await counts(db) == before
    saved = await post(client, "/fsc/capacity", **form, confirm="yes")
    assert saved.status_code == 303
    assert await db.fetchval("SELECT closes FROM callback_opening_hours WHERE weekday = 0") == dt.time(13)
    assert await db.fetchval("SELECT advisors_per_slot FROM callback_settings") == 3
    assert await db.fetchval("SELECT status FROM callback WHERE id = $1", booked) == "waiting"   # kept
    change = await db.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'capacity_changed'")
    assert change["actor_id"] == peter and change["detail"]["bookings_outside"] == 1


async def test_supervisor_closes_one_slot_and_citizens_cannot_book_it(client, db):
    await staff_login(client, await staff_id(db, "Peter Vang"))
    slot = await free_slot(db)
    local = slot.astimezone(TZ)
    response = await post(client, "/fsc/capacity/slot", day=local.date().isoformat(),
                          time=local.strftime("%H:%M"), capacity="0")
    assert response.status_code == 303
    assert await db.fetchval("SELECT capacity FROM callback_slot WHERE slot_start = $1", slot) == 0
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    refused = await client.post("/callbacks", data=booking_form(slot, await csrf_token(client)))
    assert refused.status_code == 422 and "fuldt booket" in refused.text
    assert slot_value(slot) in refused.text


async def test_reports_show_the_access_log(client, db):
    callback = await db.fetchval("SELECT min(id) FROM callback WHERE status = 'waiting'")
    anne, peter = await staff_id(db, "Anne Holm"), await staff_id(db, "Peter Vang")
    await staff_login(client, anne)
    await client.get(f"/fsc/callbacks/{callback}?reason=callback")
    client.cookies.clear()
    await staff_login(client, peter)
    page = (await client.get("/fsc/reports")).text
    assert "Adgangslog" in page
    assert re.search(rf"Anne Holm</td>\s*<td>Så borgerens oplysninger</td>\s*<td>[^<]+</td>\s*"
                     rf"<td>Henvendelse {callback} · Et tilbagekald</td>", page)
