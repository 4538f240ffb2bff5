"""A caseworker uploads a grant CSV for their own authority only (issue 16 §1): no choice of authority
on the page, the grants written with their authority as issuer and payer; an upload crafted for
another authority is refused (403), logged like every caseworker refusal, and writes nothing."""

from __future__ import annotations

from tests.conftest import csrf_token
from tests.integration.casework_helpers import AARHUS_CASEWORKER, caseworker_login
from tests.integration.csv_helpers import csv_bytes, grant_row
from tests.integration.test_staff import staff_id, staff_login

IMPORT = "/fsc/grants/import"


async def upload(client, data: bytes, **fields: str):
    return await client.post(IMPORT, files={"file": ("grants.csv", data, "text/csv")},
                             data={**fields, "_csrf_token": await csrf_token(client, IMPORT)})


async def imported(db) -> list[tuple[str, int, int]]:
    return [tuple(r) for r in await db.fetch(
        """SELECT g.reference, issuer.code, payer.code FROM grant_ g JOIN authority issuer ON issuer.id = g.issuer_id
             JOIN authority payer ON payer.id = g.payer_id WHERE g.reference LIKE 'IMP-%' ORDER BY g.reference""")]


async def test_a_caseworker_imports_for_their_own_authority_without_choosing_it(client, db):
    member = await caseworker_login(client, db, AARHUS_CASEWORKER)
    queue = await client.get("/fsc/sag")
    assert f'href="{IMPORT}"' in queue.text  # in the caseworker's navigation
    page = await client.get(IMPORT)
    assert page.status_code == 200
    assert 'name="authority_id"' not in page.text and "Odense" not in page.text  # no choice, no other authority
    assert "Bevillingerne er fra Aarhus, som du arbejder for" in page.text

    done = await upload(client, csv_bytes([grant_row(n) for n in range(3)]))
    assert done.status_code == 200 and "3 nye bevillinger" in done.text
    assert await imported(db) == [(f"IMP-{n:06d}", 751, 751) for n in range(3)]
    logged = await db.fetchrow("SELECT detail FROM audit_log WHERE actor_kind = 'staff' AND actor_id = $1 "
                               "AND action = 'grants_imported'", member)
    assert dict(logged["detail"]) == {"authority_code": 751, "lines": 3}

    # Naming their own authority is the same upload.
    again = await upload(client, csv_bytes([grant_row(7)]),
                         authority_id=str(await db.fetchval("SELECT id FROM authority WHERE code = 751")))
    assert again.status_code == 200 and len(await imported(db)) == 4


async def test_an_upload_crafted_for_another_authority_is_refused_logged_and_writes_nothing(client, db):
    member = await caseworker_login(client, db, AARHUS_CASEWORKER)
    odense = await db.fetchval("SELECT id FROM authority WHERE code = 461")
    grants, citizens = await db.fetchval("SELECT count(*) FROM grant_"), await db.fetchval("SELECT count(*) FROM citizen")
    for asked in (str(odense), "999999", "x"):
        refused = await upload(client, csv_bytes([grant_row(n, municipality=461) for n in range(2)]), authority_id=asked)
        assert refused.status_code == 403, asked
    assert (await db.fetchval("SELECT count(*) FROM grant_"), await db.fetchval("SELECT count(*) FROM citizen")) == \
        (grants, citizens)
    refusals = await db.fetch("SELECT detail FROM audit_log WHERE actor_kind = 'staff' AND actor_id = $1 "
                              "AND action = 'caseworker_refused' ORDER BY id", member)
    aarhus = await db.fetchval("SELECT id FROM authority WHERE code = 751")
    assert [dict(r["detail"]) for r in refusals] == [
        {"view": "grant_import", "authority_id": aarhus, "asked_authority": asked} for asked in (str(odense), "999999", "x")]
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'grants_imported'") == 0


async def test_an_advisor_still_cannot_import(client, db):
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get(IMPORT)).status_code == 403
