"""Shared steps for the change-request and caseworker tests."""

from __future__ import annotations

import datetime as dt

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.test_staff import staff_id, staff_login

AARHUS_CASEWORKER, ODENSE_CASEWORKER, REGION_CASEWORKER = "Sofie Bach", "Lars Krogh", "Mads Lund"


async def karen_and_grant(db) -> tuple[int, dict]:
    """Citizen A (Karen Jensen, Aarhus; Aarhus pays) and her first open-ended grant with its product."""
    karen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    grant = await db.fetchrow(
        """SELECT g.*, p.area_code, p.category FROM grant_ g JOIN product p ON p.id = g.product_id
            WHERE g.citizen_id = $1 AND g.valid_to IS NULL ORDER BY g.id LIMIT 1""", karen)
    return karen, dict(grant)


async def other_product(db, grant: dict) -> int:
    """An active product of the grant's area other than the granted one."""
    return await db.fetchval(
        "SELECT id FROM product WHERE active AND area_code = $1 AND id <> $2 ORDER BY id LIMIT 1",
        grant["area_code"], grant["product_id"])


async def post(client, url: str, **data: str):
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client, url)}, follow_redirects=False)


async def ask_as_citizen(client, db, citizen_id: int, grant_id: int, product_id: int, reason: str = "leaks",
                         note: str = ""):
    await login(client, citizen_id)
    return await post(client, f"/grants/{grant_id}/change", product=str(product_id), reason=reason, note=note)


async def caseworker_login(client, db, name: str) -> int:
    client.cookies.clear()
    member = await staff_id(db, name)
    await staff_login(client, member, landing="/fsc/sag")
    return member


async def open_request(db, citizen_id: int, grant: dict, product_id: int) -> int:
    """An open request written directly (for the caseworker's side)."""
    return await db.fetchval(
        """INSERT INTO change_request (citizen_id, grant_id, current_product_id, wanted_product_id, payer_id, reason,
                                       created_by_kind, created_by_id, due_on)
           VALUES ($1, $2, $3, $4, $5, 'skin', 'citizen', $1, $6) RETURNING id""",
        citizen_id, grant["id"], grant["product_id"], product_id, grant["payer_id"],
        dt.date.today() + dt.timedelta(days=2))
