"""Staff login through the organisation's provider (a real oidc-provider-mock process): roles from groups,
accounts created at the first login, members without a mapped group or with a closed account refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.conftest import make_settings, page_csrf_token
from tests.oidc_providers import MockProvider, authorize_at, path_and_query


@pytest.fixture(scope="session")
def staff_provider() -> Iterator[MockProvider]:
    provider = MockProvider()
    provider.set_user("sub-new-advisor", {"email": "ny.radgiver@fsc.example", "name": "Ny Rådgiver",
                                          "groups": ["all-staff", "fsc-advisors"]})
    provider.set_user("sub-peter", {"email": "Peter.Vang@fsc.example", "name": "Peter Vang",
                                    "groups": ["fsc-advisors", "fsc-supervisors"]})
    provider.set_user("sub-no-role", {"email": "kantine@fsc.example", "name": "Kim Kantine", "groups": ["all-staff"]})
    provider.set_user("sub-impostor", {"email": "peter.vang@fsc.example", "name": "Not Peter",
                                       "groups": ["fsc-advisors"]})
    provider.set_user("sub-string-group", {"email": "sara@fsc.example", "name": "Sara", "groups": "fsc-advisors"})
    yield provider
    provider.stop()


@pytest.fixture
async def staff_client(db_url: str, staff_provider: MockProvider) -> AsyncIterator[AsyncTestClient]:
    settings = make_settings(staff_oidc_issuer=staff_provider.url, staff_oidc_client_id="fsc-staff",
                             staff_oidc_client_secret="s3cret")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        yield c


async def staff_login(client: AsyncTestClient, provider: MockProvider, sub: str, next_path: str = "/fsc/queue"):
    start = await client.get(f"/fsc/login/oidc?next={next_path}", follow_redirects=False)
    assert start.status_code == 303, start.text
    assert start.headers["location"].startswith(provider.url)
    callback = await authorize_at(provider.url, start.headers["location"], sub)
    assert path_and_query(callback).startswith("/fsc/login/oidc/callback?")
    return await client.get(path_and_query(callback), follow_redirects=False)


async def counts(db) -> tuple[int, int, int]:
    return (await db.fetchval("SELECT count(*) FROM staff_session"), await db.fetchval("SELECT count(*) FROM staff"),
            await db.fetchval("SELECT count(*) FROM audit_log"))


async def test_staff_login_page_offers_the_organisation_login(staff_client) -> None:
    page = await staff_client.get("/fsc/login")
    assert 'action="/fsc/login/oidc"' in page.text and 'name="next" value="/fsc/queue"' in page.text


async def test_first_login_creates_an_advisor_account(staff_client, staff_provider, db) -> None:
    response = await staff_login(staff_client, staff_provider, "sub-new-advisor", "/fsc/capacity")
    assert response.status_code == 303 and response.headers["location"] == "/fsc/capacity"
    row = await db.fetchrow("SELECT * FROM staff WHERE oidc_subject = 'sub-new-advisor'")
    assert row["role"] == "advisor" and row["email"] == "ny.radgiver@fsc.example" and row["active"]
    assert row["name"] == "Ny Rådgiver" and row["last_login_at"] is not None
    queue = await staff_client.get("/fsc/queue")
    assert queue.status_code == 200 and "Ny Rådgiver" in queue.text
    assert await db.fetchval("SELECT login_method FROM staff_session") == "oidc"
    entry = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'staff_login'")
    assert entry["actor_id"] == row["id"] and entry["detail"]["method"] == "oidc" and entry["detail"]["created"]


async def test_existing_account_is_found_by_email_then_by_subject(staff_client, staff_provider, db) -> None:
    peter = await db.fetchval("SELECT id FROM staff WHERE email = 'peter.vang@fsc.example'")
    before = await db.fetchval("SELECT count(*) FROM staff")
    await staff_login(staff_client, staff_provider, "sub-peter")
    await staff_login(staff_client, staff_provider, "sub-peter")
    assert await db.fetchval("SELECT count(*) FROM staff") == before
    row = await db.fetchrow("SELECT role, oidc_subject FROM staff WHERE id = $1", peter)
    assert row["role"] == "supervisor" and row["oidc_subject"] == "sub-peter"  # supervisor group wins
    assert (await staff_client.get("/fsc/capacity")).status_code == 200  # supervisor-only page


async def test_an_email_bound_to_another_subject_is_refused(staff_client, staff_provider, db) -> None:
    await staff_login(staff_client, staff_provider, "sub-peter")  # binds Peter's account to sub-peter
    staff_client.cookies.clear()
    before = await counts(db)
    response = await staff_login(staff_client, staff_provider, "sub-impostor")
    assert response.status_code == 409 and 'data-login-problem="account_conflict"' in response.text
    assert await counts(db) == before
    assert await db.fetchval("SELECT name FROM staff WHERE oidc_subject = 'sub-peter'") == "Peter Vang"


async def test_a_single_group_given_as_a_string_counts(staff_client, staff_provider, db) -> None:
    response = await staff_login(staff_client, staff_provider, "sub-string-group")
    assert response.status_code == 303
    assert await db.fetchval("SELECT role FROM staff WHERE oidc_subject = 'sub-string-group'") == "advisor"


async def test_member_without_a_mapped_group_is_refused(staff_client, staff_provider, db) -> None:
    before = await counts(db)
    response = await staff_login(staff_client, staff_provider, "sub-no-role")
    assert response.status_code == 403 and 'data-login-problem="no_role"' in response.text
    assert "Du har ikke adgang til medarbejdersiderne" in response.text
    assert await counts(db) == before
    assert (await staff_client.get("/fsc/queue", follow_redirects=False)).headers["location"].startswith("/fsc/login")


async def test_closed_account_is_refused(staff_client, staff_provider, db) -> None:
    await staff_login(staff_client, staff_provider, "sub-new-advisor")
    await db.execute("UPDATE staff SET active = false WHERE oidc_subject = 'sub-new-advisor'")
    await db.execute("DELETE FROM staff_session")
    staff_client.cookies.clear()
    before = await counts(db)
    response = await staff_login(staff_client, staff_provider, "sub-new-advisor")
    assert response.status_code == 403 and 'data-login-problem="inactive"' in response.text
    assert await counts(db) == before


async def test_staff_state_must_match(staff_client, db) -> None:
    await staff_client.get("/fsc/login/oidc", follow_redirects=False)
    response = await staff_client.get("/fsc/login/oidc/callback?code=x&state=forged", follow_redirects=False)
    assert response.status_code == 400 and 'data-login-problem="state"' in response.text
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 0


async def test_staff_logout_ends_the_providers_session(staff_client, staff_provider, db) -> None:
    await staff_login(staff_client, staff_provider, "sub-new-advisor")
    token = await page_csrf_token(staff_client, "/fsc/queue")
    response = await staff_client.post("/fsc/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(staff_provider.url + "/oauth2/end_session?")
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 0
