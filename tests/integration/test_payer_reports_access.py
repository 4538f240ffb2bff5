"""Who sees the reports for payers (issue 16 §8): a supervisor every payer, a caseworker only their
own authority (another payer: 403, logged), an advisor nobody's."""

from __future__ import annotations

import datetime as dt
import json

from backend.reports.aggregate import refresh_recent
from tests.factories import make_citizen, make_grant, make_order, make_product
from tests.integration.test_payer_reports import NORDDJURS, norddjurs_history, payer_id, today
from tests.integration.test_staff import staff_id, staff_login

ODENSE = 461   # Lars Krogh is the demo caseworker of Odense


async def odense_order(db) -> None:
    citizen = await make_citizen(db, "Odense Borger", "0404504567", municipality_code=ODENSE)
    product = await make_product(db, "Odensepose")
    grant = await make_grant(db, citizen, product, 90, today() - dt.timedelta(days=60))
    await make_order(db, citizen, grant, product, 3, 30, today() - dt.timedelta(days=5), status="placed")


def csv_codes(response) -> set[str]:
    return {line.split(";")[0] for line in response.content.decode("utf-8-sig").split("\r\n")[1:] if line}


async def test_a_caseworker_sees_their_own_authority_only_and_another_payer_is_refused_and_logged(client, db):
    await norddjurs_history(db)
    await odense_order(db)
    await refresh_recent(db, today())
    await staff_login(client, await staff_id(db, "Lars Krogh"), landing="/fsc/sag")

    cases = await client.get("/fsc/sag")
    assert 'href="/fsc/reports/payers"' in cases.text   # the caseworker's navigation leads there

    page = await client.get("/fsc/reports/payers")
    assert page.status_code == 200, page.text
    assert f'<option value="{ODENSE}"' in page.text and f'value="{NORDDJURS}"' not in page.text
    assert "Alle betalere" not in page.text
    assert (await client.get(f"/fsc/reports/payers?payer={ODENSE}")).status_code == 200

    csv = await client.get("/fsc/reports/payers.csv")
    assert csv.status_code == 200
    assert csv_codes(csv) == {str(ODENSE)}   # Norddjurs and the demo's other payers are left out

    logged = await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'caseworker_refused'")
    refused = await client.get(f"/fsc/reports/payers?payer={NORDDJURS}")
    assert refused.status_code == 403
    assert "Du kan kun se rapporterne for din egen myndighed." in refused.text
    assert "Rapport Borger" not in refused.text
    refused_csv = await client.get(f"/fsc/reports/payers.csv?payer={NORDDJURS}")
    assert refused_csv.status_code == 403 and "Norddjurs" not in refused_csv.text
    rows = await db.fetch("""SELECT actor_kind, actor_id, detail FROM audit_log
                              WHERE action = 'caseworker_refused' ORDER BY id OFFSET $1""", logged)
    lars, odense = await staff_id(db, "Lars Krogh"), await payer_id(db, ODENSE)
    assert [(r["actor_kind"], r["actor_id"], json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"])
            for r in rows] == [("staff", lars, {"view": "payer_reports", "authority_id": odense,
                                                "payer": str(NORDDJURS)})] * 2


async def test_a_supervisor_may_choose_every_payer(client, db):
    await norddjurs_history(db)
    await odense_order(db)
    await refresh_recent(db, today())
    await staff_login(client, await staff_id(db, "Peter Vang"))
    csv = await client.get("/fsc/reports/payers.csv")
    assert {str(NORDDJURS), str(ODENSE)} <= csv_codes(csv)
    assert (await client.get(f"/fsc/reports/payers?payer={ODENSE}")).status_code == 200


async def test_an_advisor_is_refused(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))  # an advisor
    assert (await client.get("/fsc/reports/payers")).status_code == 403
    assert (await client.get("/fsc/reports/payers.csv")).status_code == 403
    queue = await client.get("/fsc/queue")
    assert 'href="/fsc/reports/payers"' not in queue.text
