"""FSC's intake pages: API keys (made by a supervisor, shown once, stored hashed, revocable, last use
shown), and the discharge grants ending without a follow-on; the demo data of the hand-over."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from backend.grants.handover import ending_discharge_grants
from backend.seed.intake import ENDING_CPR, HANDOVER_CPR, HANDOVER_IN_DAYS
from tests.conftest import citizen_id_by_cpr, login
from tests.integration.intake_helpers import bearer, grant_body
from tests.integration.test_staff import post, staff_id, staff_login

TODAY = dt.date.today()


async def test_a_supervisor_makes_a_key_that_is_shown_once_and_stored_hashed(client, db):
    await staff_login(client, await staff_id(db, "Peter Vang"))
    aarhus = await db.fetchval("SELECT id FROM authority WHERE code = 751")
    made = await post(client, "/fsc/api-keys", authority_id=str(aarhus), label="Aarhus sagssystem")
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    token = re.search(r'data-testid="new-token">([^<]+)<', made.text).group(1)
    row = await db.fetchrow("SELECT * FROM api_key WHERE label = 'Aarhus sagssystem'")
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert token not in str(dict(row)) and token.startswith(row["prefix"])
    listing = (await client.get("/fsc/api-keys")).text
    assert token not in listing and row["prefix"] in listing and "Aldrig" in listing  # never used yet

    assert (await client.post("/api/v1/grants", json=grant_body("PAGE-1"), headers=bearer(token))).status_code == 201
    assert "Aldrig" not in (await client.get("/fsc/api-keys")).text  # last use shown

    revoked = await post(client, f"/fsc/api-keys/{row['id']}/revoke")
    assert revoked.status_code == 303
    assert (await client.post("/api/v1/grants", json=grant_body("PAGE-2"), headers=bearer(token))).status_code == 401
    actions = [r["action"] for r in await db.fetch("SELECT action FROM audit_log WHERE actor_kind = 'staff' "
                                                     "AND action LIKE 'api_key_%' ORDER BY id")]
    assert actions == ["api_key_created", "api_key_revoked"]


async def test_a_key_needs_an_authority_and_a_label_and_an_advisor_cannot_make_one(client, db):
    await staff_login(client, await staff_id(db, "Peter Vang"))
    refused = await post(client, "/fsc/api-keys", authority_id="999999", label="")
    assert refused.status_code == 422 and "Vælg den myndighed" in refused.text
    assert await db.fetchval("SELECT count(*) FROM api_key") == 0
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get("/fsc/api-keys")).status_code == 403


async def test_the_demo_hands_over_and_fsc_sees_the_discharge_grant_ending_alone(client, db):
    assert await db.fetchval("SELECT count(*) FROM api_key") == 0  # no key is seeded
    anders, ruth = await citizen_id_by_cpr(db, HANDOVER_CPR), await citizen_id_by_cpr(db, ENDING_CPR)
    handed_over = await db.fetchval("SELECT valid_to FROM grant_ WHERE reference = 'RM-AUH-DEMO-1'")
    assert handed_over == TODAY + dt.timedelta(days=HANDOVER_IN_DAYS - 1)
    ending = {r["citizen_id"] for r in await ending_discharge_grants(db)}
    assert ruth in ending and anders not in ending

    await staff_login(client, await staff_id(db, "Peter Vang"))
    page = (await client.get("/fsc/grants/handovers")).text
    assert "Ruth Damgaard" in page and "Anders Bech" not in page

    client.cookies.clear()
    await login(client, anders)
    home = (await client.get("/")).text
    assert home.count('class="card grant"') == 2  # two products, one line each
    assert "betaler Skanderborg Kommune for dette produkt" in home or "betaler Skanderborg for dette produkt" in home


async def test_an_advisor_sees_the_ending_discharge_grants_but_not_the_supervisor_pages(client, db):
    """FSC is warned of discharge grants ending without a follow-on (issue 16 item 2): advisors
    answer the phone, so they see the list; API keys and the grant import stay with supervisors."""
    await staff_login(client, await staff_id(db, "Anne Holm"))
    page = await client.get("/fsc/grants/handovers")
    assert page.status_code == 200 and 'href="/fsc/grants/handovers"' in page.text
    assert 'href="/fsc/api-keys"' not in page.text and 'href="/fsc/grants/import"' not in page.text
    assert (await client.get("/fsc/api-keys")).status_code == 403
