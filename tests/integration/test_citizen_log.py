"""Issue 14 §5, "Hvem har set og gjort hvad": the citizen reads what helpers and FSC staff did on
their behalf and every staff access to their data (who, role, when, why), newest first, paged."""

from __future__ import annotations

import html

from backend.seed.demo import MAIN_DEMO_CPR, NEW_STOMA_CPR
from tests.conftest import citizen_id_by_cpr, login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.log_helpers import entries, helper_did, make_helper, staff_did
from tests.integration.test_staff import post, staff_id, staff_login


async def test_a_helpers_action_and_staff_access_show_with_name_role_and_reason_newest_first(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    daughter = await make_helper(db, "Sofie Jensen")
    order_id = await db.fetchval("SELECT max(id) FROM order_ WHERE citizen_id = $1", karen)
    await helper_did(db, daughter, karen, "order_placed", order_id=order_id, one_tap=True)
    # An advisor opens Karen's call for real (the call view writes staff_viewed_citizen, reason "callback").
    callback = await book_directly(db, karen, await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    assert (await post(client, f"/fsc/callbacks/{callback}/claim")).status_code == 303
    assert (await client.get(f"/fsc/callbacks/{callback}")).status_code == 200
    peter = await staff_id(db, "Peter Vang")
    await staff_did(db, peter, karen, "staff_viewed_citizen", view="search", reason="inbound_call")
    await staff_did(db, peter, karen, "staff_viewed_citizen", view="search")  # no reason picked
    await helper_did(db, daughter, karen, "helper_did_something_new", secret="not for the page")  # a future action
    await staff_did(db, anne, karen, "staff_viewed_future_page", reason="complaint", note="Intern note")

    client.cookies.clear()
    await login(client, karen)
    response = await client.get("/hvem-har-set")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = html.unescape(response.text)
    shown = entries(page)
    assert [(e["what"], e["who"], e["reason"]) for e in shown] == [
        ("Åbnede dine oplysninger", "Anne Holm, Rådgiver", "En klage"),
        ("Gjorde noget med dine oplysninger", "Sofie Jensen, Din hjælper", None),
        ("Åbnede dine oplysninger", "Peter Vang, Teamleder", "ikke angivet"),
        ("Åbnede dine oplysninger", "Peter Vang, Teamleder", "Du ringede til Fælles Service Center"),
        ("Åbnede dine oplysninger", "Anne Holm, Rådgiver", "Du bad om at blive ringet op"),
        ("Tog din bestilling af et opkald", "Anne Holm, Rådgiver", None),
        ("Bestilte produkter", "Sofie Jensen, Din hjælper", None),
    ]
    assert f"bestilling {order_id}" in shown[-1]["line"]
    # Karen's own doings (logging in, booking the call) are hers, not in this log; details never dumped.
    assert "Loggede ind" not in page and "Bestilte et opkald" not in page
    for leaked in ("Intern note", "not for the page", "helper_did_something_new", "staff_viewed", "search"):
        assert leaked not in page
    assert 'href="/mine-data.json"' in page
    # Reading the log is not itself logged.
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE citizen_id = $1 AND action LIKE '%log%'"
                             " AND action NOT IN ('login', 'logout')", karen) == 0


async def test_the_log_is_paged_25_at_a_time_with_newer_and_older_links(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    anne = await staff_id(db, "Anne Holm")
    for i in range(60):
        await staff_did(db, anne, karen, "staff_viewed_citizen", reason="follow_up", n=i)
    expected = [str(r["id"]) for r in await db.fetch(
        "SELECT id FROM audit_log WHERE citizen_id = $1 AND actor_kind = 'staff' ORDER BY at DESC, id DESC", karen)]
    await login(client, karen)
    pages = [(await client.get(url)).text for url in ("/hvem-har-set", "/hvem-har-set?side=2", "/hvem-har-set?side=3")]
    shown = [[e["id"] for e in entries(p)] for p in pages]
    assert [len(s) for s in shown] == [25, 25, 10]
    assert shown[0] + shown[1] + shown[2] == expected
    links = [('rel="next">Ældre' in p, 'rel="prev">Nyere' in p) for p in pages]
    assert links == [(True, False), (True, True), (False, True)]
    assert 'href="/hvem-har-set?side=2" class="button button-secondary" rel="next">Ældre' in pages[0]
    assert 'href="/hvem-har-set?side=3" class="button button-secondary" rel="next">Ældre' in pages[1]
    assert 'href="/hvem-har-set" class="button button-secondary" rel="prev">Nyere' in pages[1]
    assert 'href="/hvem-har-set?side=2" class="button button-secondary" rel="prev">Nyere' in pages[2]
    assert "Side 3" in pages[2]

    beyond = await client.get("/hvem-har-set?side=4")
    assert beyond.status_code == 404 and "Der er ikke mere her" in beyond.text and entries(beyond.text) == []


async def test_a_bad_page_number_is_a_clear_translated_error_and_writes_nothing(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, karen)
    before = await db.fetchval("SELECT count(*) FROM audit_log")
    for bad in ("0", "-1", "abc", "", "2.5", "²", "١", "99999999999999999999999", "1e3", "100001"):
        response = await client.get("/hvem-har-set", params={"side": bad})
        assert response.status_code == 400, bad
        assert "Sidetallet skal være et helt tal fra 1 og op" in response.text, bad
    switched = await post(client, "/language", language="en", next="/hvem-har-set")
    assert switched.status_code == 303
    english = await client.get("/hvem-har-set?side=x")
    assert english.status_code == 400 and "The page number must be a whole number" in english.text
    assert await db.fetchval("SELECT count(*) FROM audit_log") == before


async def test_citizen_b_never_sees_citizen_a_s_entries(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    mette = await citizen_id_by_cpr(db, NEW_STOMA_CPR)
    helper = await make_helper(db, "Ulla Hjælpersen")
    await helper_did(db, helper, karen, "order_placed", order_id=1)
    await staff_did(db, await staff_id(db, "Maria Lind"), karen, "staff_viewed_citizen", reason="complaint")
    await login(client, mette)
    page = (await client.get("/hvem-har-set")).text
    assert entries(page) == [] and 'data-testid="log-empty"' in page
    assert "Ulla" not in page and "Maria Lind" not in page and "Karen" not in page
    # The page has no parameter that names a citizen: one given anyway changes nothing.
    other = (await client.get(f"/hvem-har-set?citizen_id={karen}")).text
    assert entries(other) == [] and "Ulla" not in other


async def test_the_page_is_linked_from_the_menu_and_the_privacy_page_and_needs_a_login(client, db):
    anonymous = await client.get("/hvem-har-set", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/hvem-har-set"
    privacy = (await client.get("/privatliv")).text
    assert 'href="/hvem-har-set"' in privacy and 'href="/mine-data.json"' in privacy
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    home = (await client.get("/")).text
    assert 'href="/hvem-har-set"' in home and "Hvem har set og gjort hvad" in home
    # A staff session alone does not open a citizen's log.
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get("/hvem-har-set", follow_redirects=False)).status_code == 303


async def test_helper_power_and_casework_actions_have_plain_sentences(client, db):
    """Every action backend/powers, backend/casework and the inbound call write about the citizen
    reads as a sentence in the log, not as the generic fallback."""
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    daughter = await make_helper(db, "Sofie Jensen")
    anne = await staff_id(db, "Anne Holm")
    await helper_did(db, daughter, karen, "power_accepted", power_id=1)
    await helper_did(db, daughter, karen, "helper_started_acting", power_id=1)
    await helper_did(db, daughter, karen, "change_request_created", change_request_id=1)
    await staff_did(db, anne, karen, "power_registered", power_id=1)
    await staff_did(db, anne, karen, "power_scopes_changed", power_id=1)
    await staff_did(db, anne, karen, "power_revoked", power_id=1)
    await staff_did(db, anne, karen, "inbound_call_opened", callback_id=1)
    await staff_did(db, anne, karen, "change_request_approved", change_request_id=1)
    await staff_did(db, anne, karen, "change_request_rejected", change_request_id=1)
    await staff_did(db, anne, karen, "caseworker_viewed_citizen", view="citizen")
    await staff_did(db, anne, karen, "caseworker_refused", view="citizen")
    await login(client, karen)
    shown = [e["what"] for e in entries(html.unescape((await client.get("/hvem-har-set")).text))]
    assert shown[:11] == [
        "Prøvede at åbne dine oplysninger, men blev stoppet (en anden kommune)",
        "Åbnede dine oplysninger",
        "Sagde nej til ønsket om et andet produkt",
        "Sagde ja til ønsket om et andet produkt",
        "Tog imod dit opkald",
        "Stoppede en hjælpers fuldmagt",
        "Ændrede, hvad en hjælper må gøre for dig",
        "Registrerede en fuldmagt fra dig (på papir eller Digital Fuldmagt)",
        "Bad om et andet produkt til dig",
        "Begyndte at hjælpe dig i appen",
        "Tog imod din fuldmagt og blev din hjælper",
    ]


def test_every_power_and_casework_action_has_a_label():
    from backend.transparency.labels import ACTION_LABELS

    for action in ("helper_invited", "helper_invitation_withdrawn", "power_accepted", "helper_started_acting",
                   "power_scopes_changed", "power_revoked", "power_registered", "change_request_created",
                   "change_request_approved", "change_request_rejected", "inbound_call_opened",
                   "caseworker_viewed_citizen", "caseworker_refused"):
        assert action in ACTION_LABELS, action
