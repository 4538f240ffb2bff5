"""Advice the citizen can read again (issue 15 §3): the advisor's summary for the citizen is shown
under "Mine opkald" with the date and the advisor's first name; the internal note never is; one
word per status on both sides."""

from __future__ import annotations

import re

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, login
from tests.integration.callback_helpers import book_directly, free_slot
from tests.integration.test_staff import post, staff_id, staff_login

SUMMARY = "Vi aftalte: prøv konveks basisplade, ring igen om 14 dage."
NOTE = "Intern: hudproblemer nævnt, overvej henvisning."


async def test_the_citizen_reads_the_summary_and_never_the_internal_note(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, citizen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await post(client, f"/fsc/callbacks/{callback}/claim")).status_code == 303
    too_long = await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given", note=NOTE,
                          summary="x" * 1001)
    assert too_long.status_code == 422 and "højst være 1000 tegn" in too_long.text
    assert await db.fetchval("SELECT status FROM callback WHERE id = $1", callback) == "in_progress"
    done = await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="advice_given", note=NOTE,
                      summary=SUMMARY)
    assert done.status_code == 303
    row = await db.fetchrow("SELECT status, outcome_note, citizen_summary FROM callback WHERE id = $1", callback)
    assert tuple(row) == ("done", NOTE, SUMMARY)
    staff_view = (await client.get(f"/fsc/callbacks/{callback}?reason=follow_up")).text
    assert SUMMARY in staff_view and NOTE in staff_view
    staff_queue = (await client.get("/fsc/queue")).text

    await login(client, citizen)
    mine = (await client.get("/callbacks")).text
    block = re.search(rf'id="callback-{callback}".*?</li>', mine, re.S).group(0)
    assert SUMMARY in block and "Anne" in block and "Holm" not in block
    assert NOTE not in mine and "Intern" not in mine
    assert 'data-testid="callback-status">Gennemført<' in block
    assert "Afsluttet" not in staff_queue  # the same word on both sides


async def test_no_answer_keeps_no_summary(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    callback = await book_directly(db, citizen, await free_slot(db))
    await staff_login(client, await staff_id(db, "Anne Holm"))
    await post(client, f"/fsc/callbacks/{callback}/claim")
    await post(client, f"/fsc/callbacks/{callback}/outcome", outcome="no_answer", summary=SUMMARY)
    assert await db.fetchval("SELECT citizen_summary FROM callback WHERE id = $1", callback) is None


async def test_the_queue_and_the_reports_are_in_the_access_log_once_per_page_view(client, db):
    """Issue 15 §1: the queue names citizens and their topics, the reports hold the access log:
    both are staff views of personal data. A page view is logged; the queue's polls are not."""
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await book_directly(db, citizen, await free_slot(db))
    supervisor = await staff_id(db, "Peter Vang")
    await staff_login(client, supervisor)  # lands on the queue: one view
    page = (await client.get("/fsc/queue")).text
    version = re.search(r'data-version="([0-9a-f]+)"', page).group(1)
    for _ in range(3):  # the live queue's polls
        poll = await client.get(f"/fsc/queue?since={version}", headers={"HX-Request": "true"})
        assert poll.status_code == 204
    await client.get("/fsc/reports")
    views = await db.fetch("SELECT action, detail FROM audit_log WHERE actor_kind = 'staff' AND actor_id = $1 "
                           "AND action LIKE 'staff_viewed_%' ORDER BY id", supervisor)
    assert [v["action"] for v in views] == ["staff_viewed_queue", "staff_viewed_reports"]
    assert views[0]["detail"]["requests"] >= 1 and views[0]["detail"]["citizens"] >= 1
