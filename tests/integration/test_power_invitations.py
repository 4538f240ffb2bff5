"""Issue 14: the citizen invites a helper (link and code), the helper accepts with their own login,
chooses whom to act for; every bad input gets a clear translated error and writes nothing."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.powers.rules import CODE_ALPHABET, normalise_code
from backend.seed.demo import MAIN_DEMO_CPR, NEW_STOMA_CPR
from tests.conftest import citizen_id_by_cpr, login, make_settings
from tests.integration.power_helpers import (
    act_for,
    counts,
    invite,
    karen,
    login_person,
    make_person,
    post,
    shown_code,
    shown_token,
)


async def test_invitation_shows_a_code_and_a_link_and_stores_only_their_hashes(client, db):
    await login(client, await karen(db))
    response = await invite(client, "Ole Jensen", "order")
    assert response.status_code == 201
    code, token = shown_code(response.text), shown_token(response.text)
    assert normalise_code(code) and len(normalise_code(code)) == 10 and set(normalise_code(code)) <= set(CODE_ALPHABET)
    row = await db.fetchrow("SELECT * FROM power_invitation")
    assert row["helper_name"] == "Ole Jensen" and row["scopes"] == ["view", "order"]  # ordering needs seeing
    assert 71.9 * 3600 < (row["expires_at"] - row["created_at"]).total_seconds() <= 72 * 3600
    stored = bytes(row["token_hash"]) + bytes(row["code_hash"])
    assert code.replace("-", "").encode() not in stored and token.encode() not in stored
    log = await db.fetchrow("SELECT actor_kind, action, detail FROM audit_log WHERE action = 'helper_invited'")
    assert log["actor_kind"] == "citizen"
    page = await client.get("/hjaelpere")
    assert "Ole Jensen" in page.text and "Invitationer, der ikke er brugt endnu" in page.text


async def test_helper_accepts_by_code_chooses_and_acts_for_the_citizen(client, db):
    karen_id = await karen(db)
    await login(client, karen_id)
    code = shown_code((await invite(client, "Ole Jensen", "view", "order")).text)
    ole = await make_person(db, "Ole Jensen", "0101601234")
    client.cookies.clear()
    assert await login_person(client, ole) == "/fuldmagt/vaelg"  # no power yet: the chooser says so
    welcome = await client.get("/welcome")
    assert 'href="/fuldmagt"' in welcome.text  # a helper-only person can reach the code form
    accepted = await post(client, "/fuldmagt/", code=code.lower().replace("-", " "))  # typed sloppily: still fine
    assert accepted.status_code == 303 and accepted.headers["location"] == "/fuldmagt/vaelg"
    power = await db.fetchrow("SELECT * FROM power_of_attorney WHERE person_id = $1", ole)
    assert power["citizen_id"] == karen_id and power["scopes"] == ["view", "order"] and power["source"] == "invitation"
    assert await db.fetchval("SELECT accepted_power_id FROM power_invitation") == power["id"]
    chooser = await client.get("/fuldmagt/vaelg")
    assert "Karen Jensen" in chooser.text and "Mig selv" in chooser.text
    assert (await act_for(client, power["id"])).status_code == 303
    home = await client.get("/")
    assert home.status_code == 200 and "Du handler for Karen Jensen" in home.text
    assert "Tilbage til mig selv" in home.text
    # Back to themself with one tap: a helper-only person lands on the welcome page.
    back = await act_for(client, "self")
    assert back.headers["location"] == "/welcome"
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/welcome"


async def test_helper_accepts_by_link_after_seeing_whose_invitation_it_is(client, db):
    await login(client, await karen(db))
    token = shown_token((await invite(client, "Ole Jensen", "callbacks")).text)
    ole = await make_person(db, "Ole Jensen", "0101601234")
    client.cookies.clear()
    # Opened before login: the login brings them back to the link, token and all.
    before = await client.get(f"/fuldmagt?t={token}", follow_redirects=False)
    assert before.headers["location"].startswith("/login?next=/fuldmagt%3Ft%3D")
    assert await login_person(client, ole, next=f"/fuldmagt?t={token}") == f"/fuldmagt?t={token}"
    page = await client.get(f"/fuldmagt?t={token}")
    assert "Karen Jensen inviterer dig" in page.text and "Bestil og flyt opkald fra FSC" in page.text
    assert (await counts(db))["accepted"] == 0  # looking is not accepting
    accepted = await post(client, "/fuldmagt/", token=token)
    assert accepted.status_code == 303
    assert await db.fetchval("SELECT scopes FROM power_of_attorney WHERE person_id = $1", ole) == ["view", "callbacks"]


@pytest.mark.parametrize("spoil", ["expired", "used", "withdrawn"])
async def test_an_expired_used_or_withdrawn_invitation_is_refused_and_writes_nothing(client, db, spoil):
    await login(client, await karen(db))
    code = shown_code((await invite(client, "Ole Jensen", "view")).text)
    invitation_id = await db.fetchval("SELECT id FROM power_invitation")
    if spoil == "withdrawn":
        assert (await post(client, f"/hjaelpere/invitations/{invitation_id}/withdraw")).status_code == 303
    ole = await make_person(db, "Ole Jensen", "0101601234")
    if spoil == "expired":
        await db.execute("UPDATE power_invitation SET expires_at = now() - interval '1 second', "
                         "created_at = now() - interval '73 hours'")
    client.cookies.clear()
    if spoil == "used":
        other = await make_person(db, "Ib Jensen", "0101701234")
        await login_person(client, other)
        assert (await post(client, "/fuldmagt/", code=code)).status_code == 303
        client.cookies.clear()
    await login_person(client, ole)
    before = await counts(db)
    response = await post(client, "/fuldmagt/", code=code)
    assert response.status_code == 409
    assert {"expired": "udløbet", "used": "allerede brugt", "withdrawn": "trukket tilbage"}[spoil] in response.text
    assert await counts(db) == before
    assert not await db.fetchval("SELECT count(*) FROM power_of_attorney WHERE person_id = $1", ole)


async def test_a_citizen_cannot_accept_their_own_invitation(client, db):
    karen_id = await karen(db)
    await login(client, karen_id)
    code = shown_code((await invite(client, "Karen Jensen", "view")).text)
    # Karen logs in with MitID herself (a person with the same CPR number as the citizen).
    karen_person = await make_person(db, "Karen Jensen", MAIN_DEMO_CPR)
    client.cookies.clear()
    await login_person(client, karen_person)
    before = await counts(db)
    response = await post(client, "/fuldmagt/", code=code)
    assert response.status_code == 409 and "din egen invitation" in response.text
    assert await counts(db) == before


async def test_a_demo_citizen_login_without_a_person_cannot_accept(client, db):
    await login(client, await karen(db))
    code = shown_code((await invite(client, "Mette", "view")).text)
    client.cookies.clear()
    await login(client, await citizen_id_by_cpr(db, NEW_STOMA_CPR))
    before = await counts(db)
    response = await post(client, "/fuldmagt/", code=code)
    assert response.status_code == 409 and "MitID" in response.text
    assert await counts(db) == before


async def test_a_second_open_invitation_to_the_same_helper_is_refused(client, db):
    await login(client, await karen(db))
    assert (await invite(client, "Ole Jensen", "view")).status_code == 201
    second = await invite(client, "  ole   JENSEN ", "order")
    assert second.status_code == 409 and "har allerede en invitation" in second.text
    assert (await counts(db))["invitations"] == 1
    # Once withdrawn, a new one may be made.
    invitation_id = await db.fetchval("SELECT id FROM power_invitation")
    await post(client, f"/hjaelpere/invitations/{invitation_id}/withdraw")
    assert (await invite(client, "Ole Jensen", "order")).status_code == 201


@pytest.mark.parametrize("form", [{"helper_name": "Ole", "scope": ["view", "admin"]}, {"helper_name": "Ole"},
                                  {"helper_name": "", "scope": ["view"]}, {"helper_name": "O" * 101, "scope": "view"}])
async def test_unknown_scopes_no_scope_or_a_bad_name_are_refused(client, db, form):
    await login(client, await karen(db))
    response = await post(client, "/hjaelpere/invitations", form)
    assert response.status_code == 422 and "Intet blev gemt" in response.text
    assert (await counts(db))["invitations"] == 0
    assert not await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'helper_invited'")


async def test_guessed_codes_are_rate_limited_per_person(db_url, db):
    app = create_app(make_settings(rate_limit_power_code="1000/1h,3/1h"), database_url=db_url)
    ole = await make_person(db, "Ole Jensen", "0101601234")
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        await login_person(client, ole)
        for guess in ("ACDEF-HJKMN", "not a code", "ACDEF-HJKMP"):
            response = await post(client, "/fuldmagt/", code=guess)
            assert response.status_code == 422, response.text
        assert "Vi kender ikke denne kode" in response.text
        stopped = await post(client, "/fuldmagt/", code="ACDEF-HJKMR")
        assert stopped.status_code == 429 and "Retry-After" in stopped.headers
    assert (await counts(db))["powers"] == 1  # only the demo power: nothing was accepted


async def test_a_crafted_choice_of_someone_who_never_gave_power_is_refused(client, db):
    ole = await make_person(db, "Ole Jensen", "0101601234")
    others = await db.fetchval("SELECT min(id) FROM power_of_attorney")  # Sofie's power for Karen
    await login_person(client, ole)
    for crafted in (str(others), "999999", "x", ""):
        response = await act_for(client, crafted)
        assert response.status_code in (403, 422), crafted
        assert "Du har ingen fuldmagt" in response.text or "Vælg en person" in response.text
    assert await db.fetchval("SELECT count(*) FROM session WHERE acting_for_power_id IS NOT NULL") == 0
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/welcome"
