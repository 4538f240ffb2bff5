"""The grant intake API (/api/v1/grants): keys, idempotency, the authority rules and every refusal
(RFC 9457 problem details, nothing written), through the real app and database."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.intake import examples
from tests.conftest import TEST_CPR_KEY, make_settings
from tests.integration.intake_helpers import bearer, counts, grant_body, make_key

API = "/api/v1/grants"
PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:faelles-bestilling:problem:")
    assert body["title"] and body["detail"]
    return body


async def test_a_municipality_creates_a_grant_and_the_same_request_again_is_the_same_grant(client, db):
    key_id, token = await make_key(db, 751)
    body = grant_body("AAR-2026-1", cpr="010190-1234", stoma_since="2026-11-01")
    first = await client.post(API, json=body, headers=bearer(token))
    assert first.status_code == 201, first.text
    grant = first.json()
    assert grant["reference"] == "AAR-2026-1" and grant["authority_code"] == 751 and grant["payer_code"] == 751
    assert grant["product"]["item_no"] == "17452" and grant["quantity_per_period"] == 40
    before = await counts(db)

    again = await client.post(API, json=body, headers=bearer(token))
    assert again.status_code == 201 and again.json() == grant
    assert again.headers["idempotent-replayed"] == "true"
    assert await counts(db) == before  # no new row, no audit row

    citizen = await db.fetchrow("SELECT * FROM citizen WHERE id = $1", grant["citizen_id"])
    assert citizen["name"] == "Jens Hansen" and citizen["stoma_since"] == dt.date(2026, 11, 1)
    assert "0101901234" not in str(dict(citizen)) and "010190" not in str(dict(citizen))
    audit = await db.fetch("SELECT actor_kind, actor_id, action, detail::text AS detail FROM audit_log "
                           "WHERE actor_kind = 'authority' ORDER BY id")
    assert [(a["actor_kind"], a["actor_id"], a["action"]) for a in audit] == [
        ("authority", key_id, "citizen_created"), ("authority", key_id, "grant_created")]
    assert all("010190" not in a["detail"] for a in audit)
    assert await db.fetchval("SELECT last_used_at IS NOT NULL FROM api_key WHERE id = $1", key_id)


async def test_the_same_reference_with_other_content_is_a_conflict_and_writes_nothing(client, db):
    _, token = await make_key(db, 751)
    assert (await client.post(API, json=grant_body("AAR-2"), headers=bearer(token))).status_code == 201
    before = await counts(db)
    response = await client.post(API, json=grant_body("AAR-2", quantity_per_period=80), headers=bearer(token))
    body = assert_problem(response, 409)
    assert body["errors"][0]["field"] == "reference" and body["errors"][0]["code"] == "reference_conflict"
    assert await counts(db) == before


@pytest.mark.parametrize("header", [None, "Bearer fbk_unknown-key-0000000000000000000000000000", "Basic abc"])
async def test_no_key_or_an_unknown_key_is_401(client, db, header):
    before = await counts(db)
    response = await client.post(API, json=grant_body(), headers={"Authorization": header} if header else {})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await counts(db) == before


async def test_a_revoked_key_is_401_at_once(client, db):
    key_id, token = await make_key(db, 751)
    assert (await client.get(f"{API}/nothing-yet", headers=bearer(token))).status_code == 404
    await db.execute("UPDATE api_key SET revoked_at = now() WHERE id = $1", key_id)
    before = await counts(db)
    body = assert_problem(await client.post(API, json=grant_body(), headers=bearer(token)), 401)
    assert "revoked" in body["detail"]
    assert await counts(db) == before


async def test_a_key_of_another_authority_is_403(client, db):
    _, odense = await make_key(db, 461)
    before = await counts(db)
    # Odense's key, a body that says it is Aarhus's
    body = assert_problem(await client.post(API, json=grant_body(authority_code=751), headers=bearer(odense)), 403)
    assert body["errors"][0]["code"] == "wrong_authority"
    # Odense's key for a citizen of Aarhus
    body = assert_problem(await client.post(API, json=grant_body(), headers=bearer(odense)), 403)
    assert body["errors"][0]["code"] == "not_your_citizen"
    # Odense's key on Aarhus's grant: Aarhus's references are not Odense's
    _, aarhus = await make_key(db, 751)
    assert (await client.post(API, json=grant_body("AAR-9"), headers=bearer(aarhus))).status_code == 201
    before = await counts(db)
    assert_problem(await client.post(f"{API}/AAR-9/end", json={"valid_to": "2030-01-01"}, headers=bearer(odense)), 404)
    assert_problem(await client.patch(f"{API}/AAR-9", json={"quantity_per_period": 5, "authority_code": 751},
                                      headers=bearer(odense)), 403)
    assert await counts(db) == before


async def test_a_region_grants_for_its_own_municipalities_only(client, db):
    _, midt = await make_key(db, 1082)
    discharge = await client.post(API, json=examples.DISCHARGE, headers=bearer(midt))  # Skanderborg, in the region
    assert discharge.status_code == 201 and discharge.json()["payer_code"] == 1082
    _, syd = await make_key(db, 1083)
    body = dict(examples.DISCHARGE, reference="RSD-1")
    assert_problem(await client.post(API, json=body, headers=bearer(syd)), 403)


async def test_every_bad_field_is_listed_and_nothing_is_written(client, db):
    _, token = await make_key(db, 751)
    before = await counts(db)
    body = grant_body("AAR-BAD", cpr="12345", period_days=0, valid_to="2000-01-01", area="foo",
                      municipality_code=9999, product={"hmi_no": "no-such-product"})
    problem = assert_problem(await client.post(API, json=body, headers=bearer(token)), 422)
    codes = {(e["field"], e["code"]) for e in problem["errors"]}
    assert codes == {("cpr", "bad_cpr"), ("period_days", "bad_period"), ("valid_to", "end_before_start"),
                     ("area", "unknown_area"), ("municipality_code", "unknown_municipality"),
                     ("product", "unknown_product")}
    assert all(e["detail"] for e in problem["errors"])
    assert await counts(db) == before


async def test_a_product_of_another_area_and_a_malformed_body_are_422(client, db):
    _, token = await make_key(db, 751)
    problem = assert_problem(await client.post(API, json=grant_body(area="urologi"), headers=bearer(token)), 422)
    assert problem["errors"][0]["code"] == "wrong_area"
    problem = assert_problem(await client.post(API, json={"reference": "x", "citizen": 5}, headers=bearer(token)), 422)
    assert problem["errors"]
    problem = assert_problem(await client.post(API, json=grant_body(surprise=1), headers=bearer(token)), 422)


async def test_change_and_end_by_reference(client, db):
    _, token = await make_key(db, 751)
    created = (await client.post(API, json=grant_body("AAR-3"), headers=bearer(token))).json()
    changed = await client.patch(f"{API}/AAR-3", json={"quantity_per_period": 60}, headers=bearer(token))
    assert changed.status_code == 200 and changed.json()["quantity_per_period"] == 60
    end = (dt.date.today() + dt.timedelta(days=100)).isoformat()
    ended = await client.post(f"{API}/AAR-3/end", json={"valid_to": end}, headers=bearer(token))
    assert ended.status_code == 200 and ended.json()["valid_to"] == end
    assert await db.fetchval("SELECT quantity_per_period FROM grant_ WHERE id = $1", created["id"]) == 60
    actions = [r["action"] for r in await db.fetch("SELECT action FROM audit_log WHERE actor_kind = 'authority' "
                                                     "ORDER BY id")]
    assert actions[-2:] == ["grant_changed", "grant_ended"]
    before = await counts(db)
    assert_problem(await client.post(f"{API}/AAR-3/end", json={"valid_to": "2000-01-01"}, headers=bearer(token)), 422)
    assert_problem(await client.patch(f"{API}/NOPE", json={"quantity_per_period": 5}, headers=bearer(token)), 404)
    assert_problem(await client.patch(f"{API}/AAR-3", json={"quantity_per_period": 0}, headers=bearer(token)), 422)
    assert await counts(db) == before


async def test_the_municipal_grant_takes_over_the_discharge_grant_the_day_it_starts(client, db):
    _, midt = await make_key(db, 1082)
    _, skanderborg = await make_key(db, 746)
    discharge = (await client.post(API, json=examples.DISCHARGE, headers=bearer(midt))).json()
    municipal = await client.post(API, json=examples.MUNICIPAL, headers=bearer(skanderborg))
    assert municipal.status_code == 201, municipal.text
    takes_over = dt.date.fromisoformat(examples.MUNICIPAL["valid_from"])
    assert await db.fetchval("SELECT valid_to FROM grant_ WHERE id = $1", discharge["id"]) == takes_over - dt.timedelta(days=1)
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'grant_handed_over' "
                             "AND (detail->>'grant_id')::bigint = $1", discharge["id"]) == 1
    # A municipal grant from before the discharge grant began cannot take it over.
    late = dict(examples.DISCHARGE, reference="RM-2", valid_from="2027-03-01", valid_to=None)
    assert (await client.post(API, json=late, headers=bearer(midt))).status_code == 201
    body = dict(examples.MUNICIPAL, reference="SKB-2", valid_from="2027-03-01")
    problem = assert_problem(await client.post(API, json=body, headers=bearer(skanderborg)), 409)
    assert problem["errors"][0]["code"] == "handover_overlap"


async def test_requests_are_limited_per_key(db_url, db):
    from litestar.testing import AsyncTestClient

    from backend.app import create_app

    app = create_app(make_settings(rate_limit_grant_intake="1000/1m,2/1m"), database_url=db_url)
    _, token = await make_key(db, 751)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        for n in range(2):
            assert (await client.post(API, json=grant_body(f"R-{n}"), headers=bearer(token))).status_code == 201
        response = await client.post(API, json=grant_body("R-3"), headers=bearer(token))
    assert response.status_code == 429 and response.headers["content-type"].startswith(PROBLEM)
    assert int(response.headers["retry-after"]) >= 1
    assert await db.fetchval("SELECT count(*) FROM grant_ WHERE reference = 'R-3'") == 0


async def test_the_openapi_schema_documents_the_intake_with_examples(client):
    schema = (await client.get("/api/docs/openapi.json")).json()
    create = schema["paths"]["/api/v1/grants"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/GrantCreate") and "cpr" in str(schema["components"]["schemas"]["CitizenIn"])
    named = create["requestBody"]["content"]["application/json"]["examples"]
    assert [e["value"] for e in named.values()] == [examples.DISCHARGE, examples.MUNICIPAL]
    end = schema["paths"]["/api/v1/grants/{reference}/end"]["post"]["requestBody"]["content"]["application/json"]
    assert [e["value"] for e in end["examples"].values()] == [examples.END]
    assert {"401", "403", "409", "422"} <= set(create["responses"])
    assert create["security"] == [{"authorityKey": []}]
    assert schema["components"]["securitySchemes"]["authorityKey"]["scheme"] == "bearer"
    assert "/api/v1/grants/{reference}/end" in schema["paths"]
    assert TEST_CPR_KEY not in str(schema)
