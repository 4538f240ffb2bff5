"""The request log names every kind of caller by kind and id only (issue 18 §4): an authority's
system by its API key's id (never the key), a caseworker as staff, and a helper acting for a
citizen as the relative they are (never as the citizen)."""

from __future__ import annotations

import json

from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.request_log import actor_of
from tests.conftest import citizen_id_by_cpr, login
from tests.integration.casework_helpers import AARHUS_CASEWORKER, caseworker_login
from tests.integration.intake_helpers import bearer, grant_body, make_key
from tests.integration.power_helpers import act_for, grant, login_person, make_person
from tests.integration.test_request_log import captured  # noqa: F401  (the fixture)


def last_line(captured, route: str) -> dict:  # noqa: F811
    lines = [json.loads(line) for line in captured.lines]
    return [line for line in lines if line["route"] == route][-1]


async def test_an_api_caller_is_logged_by_its_key_id_never_the_key(client, db, captured):  # noqa: F811
    key_id, token = await make_key(db, 751)
    created = await client.post("/api/v1/grants", json=grant_body("LOG-1"), headers=bearer(token))
    assert created.status_code == 201, created.text
    line = last_line(captured, "/api/v1/grants")
    assert (line["actor_kind"], line["actor_id"], line["status"]) == ("api_key", key_id, 201)
    assert token not in "".join(captured.lines) and token[:12] not in "".join(captured.lines)

    # A refused key names nobody: the request never had a caller.
    refused = await client.post("/api/v1/grants", json=grant_body("LOG-2"), headers=bearer(token + "x"))
    assert refused.status_code == 401
    line = last_line(captured, "/api/v1/grants")
    assert (line.get("actor_kind"), line.get("actor_id"), line["status"]) == (None, None, 401)


async def test_a_caseworker_is_logged_as_staff_with_their_id(client, db, captured):  # noqa: F811
    member = await caseworker_login(client, db, AARHUS_CASEWORKER)
    assert (await client.get("/fsc/sag")).status_code == 200
    line = last_line(captured, "/fsc/sag")
    assert (line["actor_kind"], line["actor_id"]) == ("staff", member)


async def test_a_helper_is_logged_as_the_relative_not_as_the_citizen(client, db, captured):  # noqa: F811
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    helper = await make_person(db, "Mette Hjælper", "0505551234")
    power = await grant(db, citizen, helper, "view")
    await login_person(client, helper)
    assert (await act_for(client, power)).status_code == 303
    assert (await client.get("/orders")).status_code == 200
    line = last_line(captured, "/orders")
    assert (line["actor_kind"], line["actor_id"]) == ("relative", helper)

    client.cookies.clear()
    await login(client, citizen)
    assert (await client.get("/orders")).status_code == 200
    line = last_line(captured, "/orders")
    assert (line["actor_kind"], line["actor_id"]) == ("citizen", citizen)


def test_actor_of_each_kind_of_state():
    """The order matters: a helper's state also holds the person, an API call holds no session."""
    from types import SimpleNamespace

    from backend.auth.models import SignedInPerson, Viewer

    helper = Viewer(b"h", 1, "Karen", "da", actor_kind="relative", actor_id=7, scopes=frozenset({"view"}))
    person = SignedInPerson(b"h", 7, None, "Sofie", True)
    assert actor_of({"viewer": helper, "person": person}) == ("relative", 7)
    assert actor_of({"viewer": Viewer(b"h", 1, "Karen", "da")}) == ("citizen", 1)
    assert actor_of({"staff": SimpleNamespace(staff_id=3, role="caseworker")}) == ("staff", 3)
    assert actor_of({"api_client": SimpleNamespace(key_id=11, authority=None)}) == ("api_key", 11)
    assert actor_of({"person": person}) == ("person", 7)
    assert actor_of({}) == (None, None)
