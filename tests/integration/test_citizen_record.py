"""Opening a citizen's record or a call view is logged with the reason the advisor picks (issue 15 §1).

Nothing of the citizen is shown before a reason is picked; only the advisor's own call in
progress implies its reason. Before issue 15 any advisor could open any callback's call view,
closed or cancelled ones included, without a reason (test_a_closed_call_asks_for_a_reason_first
failed on that code: the page showed the citizen at once)."""

from __future__ import annotations

import json

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.test_staff import post, staff_id, staff_login


async def views(db, citizen: int) -> list[dict]:
    rows = await db.fetch("""SELECT actor_kind, actor_id, detail::text AS detail FROM audit_log
                              WHERE action = 'staff_viewed_citizen' AND citizen_id = $1 ORDER BY id""", citizen)
    return [{"actor": (r["actor_kind"], r["actor_id"]), **json.loads(r["detail"])} for r in rows]


async def test_the_record_asks_for_a_reason_and_logs_it(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    for url in (f"/fsc/citizens/{karen}", f"/fsc/citizens/{karen}?reason=curious"):
        ask = await client.get(url)
        assert ask.status_code == 200 and "Hvorfor åbner du det?" in ask.text
        assert "Karen" not in ask.text and "Skovvangsvej" not in ask.text
    assert await views(db, karen) == []

    for reason in ("inbound_call", "callback", "follow_up", "complaint"):
        page = await client.get(f"/fsc/citizens/{karen}?reason={reason}")
        assert page.status_code == 200 and "Karen Jensen" in page.text and "Skovvangsvej 41" in page.text
    assert await views(db, karen) == [
        {"actor": ("staff", anne), "view": "record", "callback_id": None, "reason": reason}
        for reason in ("inbound_call", "callback", "follow_up", "complaint")]
    page = (await client.get(f"/fsc/citizens/{karen}?reason=complaint")).text
    assert "Åbnet på grund af: En klage" in page and "Comfort Flex Basisplade" in page  # grants
    assert "Indgående opkald: åbn opkaldet" in page and f"/fsc/citizens/{karen}/callbacks/new" in page
    assert (await client.get("/fsc/citizens/999999999?reason=complaint")).status_code == 404


async def test_a_closed_call_asks_for_a_reason_first(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, karen, await free_slot(db))
    anne, peter = await staff_id(db, "Anne Holm"), await staff_id(db, "Peter Vang")
    await staff_login(client, anne)
    await post(client, f"/fsc/callbacks/{callback}/claim")
    assert (await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given")).status_code == 303
    await db.execute("UPDATE callback SET status = 'cancelled' WHERE citizen_id = $1 AND id <> $2", karen, callback)
    before = len(await views(db, karen))

    client.cookies.clear()
    await staff_login(client, peter)
    ask = await client.get(f"/fsc/callbacks/{callback}")
    assert ask.status_code == 200 and "Hvorfor åbner du det?" in ask.text and "Karen" not in ask.text
    assert len(await views(db, karen)) == before
    shown = await client.get(f"/fsc/callbacks/{callback}?reason=complaint")
    assert shown.status_code == 200 and "Opkald med Karen Jensen" in shown.text
    assert (await views(db, karen))[-1] == {"actor": ("staff", peter), "view": "call", "callback_id": callback,
                                            "reason": "complaint"}


async def test_the_advisors_own_call_implies_the_reason(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, karen, await free_slot(db))
    anne = await staff_id(db, "Anne Holm")
    await staff_login(client, anne)
    ask = await client.get(f"/fsc/callbacks/{callback}")  # waiting, not taken yet: a reason is asked for
    assert "Hvorfor åbner du det?" in ask.text
    claimed = await post(client, f"/fsc/callbacks/{callback}/claim")
    assert claimed.headers["location"] == f"/fsc/callbacks/{callback}"
    page = await client.get(claimed.headers["location"])
    assert "Opkald med Karen Jensen" in page.text
    assert (await views(db, karen))[-1] == {"actor": ("staff", anne), "view": "call", "callback_id": callback,
                                            "reason": "callback"}


async def test_the_record_shows_the_citizen_s_helpers_and_links_to_registering_a_power(client, db):
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)  # the demo seed gives her daughter Sofie a power
    power = await db.fetchrow("SELECT p.name, a.document_ref FROM power_of_attorney a JOIN person p ON p.id = a.person_id "
                              "WHERE a.citizen_id = $1 AND a.revoked_at IS NULL", karen)
    assert power is not None
    await staff_login(client, await staff_id(db, "Anne Holm"))
    page = await client.get(f"/fsc/citizens/{karen}?reason=inbound_call")
    assert page.status_code == 200
    helpers = page.text.split('data-testid="citizen-helpers"', 1)[1].split("</ul>", 1)[0]
    assert "Hjælpere med fuldmagt" in page.text and power["name"] in helpers
    assert f'href="/fsc/citizens/{karen}/powers"' in page.text
    assert (await client.get(f"/fsc/citizens/{karen}/powers", follow_redirects=True)).status_code == 200
    await db.execute("UPDATE power_of_attorney SET revoked_at = now() WHERE citizen_id = $1", karen)
    page = await client.get(f"/fsc/citizens/{karen}?reason=inbound_call")
    assert 'data-testid="citizen-helpers"' not in page.text and "Ingen har fuldmagt for denne borger." in page.text
