"""Helpers for the power-of-attorney tests: helper persons, their logins, powers, invitations."""

from __future__ import annotations

import re

import asyncpg
from litestar.testing import AsyncTestClient

from backend.citizens.cpr import cpr_hash
from backend.seed.demo import MAIN_DEMO_CPR
from backend.seed.helpers import HELPER_DEMO_CPR
from tests.conftest import TEST_CPR_KEY, citizen_id_by_cpr, csrf_token, page_csrf_token


async def make_person(db: asyncpg.Connection, name: str, cpr: str) -> int:
    """A person who can log in on the demo page as a helper (is_demo), like a MitID login would create."""
    return await db.fetchval(
        """INSERT INTO person (cpr_hash, name, is_demo) VALUES ($1, $2, true)
           ON CONFLICT (cpr_hash) DO UPDATE SET is_demo = true RETURNING id""", cpr_hash(TEST_CPR_KEY, cpr), name)


async def login_person(client: AsyncTestClient, person_id: int, next: str = "/") -> str:
    """Log in as a person (the demo helper login); returns where the login sends them."""
    response = await client.post("/login/demo", data={
        "person_id": str(person_id), "next": next, "_csrf_token": await page_csrf_token(client, "/login")},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def grant(db: asyncpg.Connection, citizen_id: int, person_id: int, *scopes: str) -> int:
    await db.execute("UPDATE power_of_attorney SET revoked_at = now() WHERE citizen_id = $1 AND person_id = $2",
                     citizen_id, person_id)
    return await db.fetchval(
        """INSERT INTO power_of_attorney (citizen_id, person_id, scopes, source) VALUES ($1, $2, $3, 'invitation')
           RETURNING id""", citizen_id, person_id, list(scopes))


async def post(client: AsyncTestClient, url: str, data: dict | None = None, **fields: str):
    form = {**(data or {}), **fields, "_csrf_token": await csrf_token(client, url)}
    return await client.post(url, data=form, follow_redirects=False)


async def act_for(client: AsyncTestClient, power: int | str):
    return await post(client, "/fuldmagt/vaelg", power=str(power))


async def invite(client: AsyncTestClient, name: str, *scopes: str):
    return await post(client, "/hjaelpere/invitations", {"helper_name": name, "scope": list(scopes)})


def shown_code(page: str) -> str:
    found = re.search(r'data-testid="invitation-code">([A-Z0-9-]+)<', page)
    assert found, page
    return found.group(1)


def shown_token(page: str) -> str:
    found = re.search(r'/fuldmagt\?t=([A-Za-z0-9_-]+)"', page)
    assert found, page
    return found.group(1)


async def karen(db: asyncpg.Connection) -> int:
    return await citizen_id_by_cpr(db, MAIN_DEMO_CPR)


async def sofie(db: asyncpg.Connection) -> int:
    return await db.fetchval("SELECT id FROM person WHERE cpr_hash = $1", cpr_hash(TEST_CPR_KEY, HELPER_DEMO_CPR))


async def counts(db: asyncpg.Connection) -> dict[str, int]:
    row = await db.fetchrow(
        """SELECT (SELECT count(*) FROM power_of_attorney) AS powers,
                  (SELECT count(*) FROM power_of_attorney WHERE revoked_at IS NULL) AS live,
                  (SELECT count(*) FROM power_invitation) AS invitations,
                  (SELECT count(*) FROM power_invitation WHERE accepted_at IS NOT NULL) AS accepted,
                  (SELECT count(*) FROM order_) AS orders""")
    return dict(row)
