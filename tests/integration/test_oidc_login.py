"""Citizen login with MitID through OpenID Connect, against a real provider process (oidc-provider-mock).

Each test starts at our /login/oidc, answers the provider's authorize form like a browser, and comes
back to our callback with the provider's code; the app then talks to the provider over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.citizens.cpr import cpr_hash
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import TEST_CPR_KEY, citizen_id_by_cpr, csrf_token, make_settings
from tests.oidc_providers import MockProvider, authorize_at, citizen_claims, path_and_query

NEW_PERSON_CPR = "0101901234"


@pytest.fixture(scope="session")
def mock_provider() -> Iterator[MockProvider]:
    provider = MockProvider()
    provider.set_user("karen", citizen_claims(MAIN_DEMO_CPR, "Karen Jensen"))
    provider.set_user("karen-low", citizen_claims(MAIN_DEMO_CPR, "Karen Jensen", loa="Low"))
    provider.set_user("newcomer", citizen_claims(NEW_PERSON_CPR, "Nina Nybegynder", loa="High"))
    yield provider
    provider.stop()


@pytest.fixture
async def oidc_client(db_url: str, mock_provider: MockProvider) -> AsyncIterator[AsyncTestClient]:
    settings = make_settings(oidc_issuer=mock_provider.url, oidc_client_id="fsc-test", oidc_client_secret="s3cret")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        yield c


async def start_login(client: AsyncTestClient, next_path: str = "/") -> str:
    response = await client.get(f"/login/oidc?next={next_path}", follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "fsc_oidc" in response.cookies
    return response.headers["location"]


async def mitid_login(client: AsyncTestClient, provider: MockProvider, sub: str, next_path: str = "/"):
    authorize_url = await start_login(client, next_path)
    callback = await authorize_at(provider.url, authorize_url, sub)
    return await client.get(path_and_query(callback), follow_redirects=False), callback


async def counts(db) -> tuple[int, int, int]:
    return (await db.fetchval("SELECT count(*) FROM session"), await db.fetchval("SELECT count(*) FROM person"),
            await db.fetchval("SELECT count(*) FROM audit_log"))


async def test_login_page_offers_mitid_when_configured(oidc_client, client) -> None:
    page = await oidc_client.get("/login")
    assert 'action="/login/oidc"' in page.text and 'name="next" value="/"' in page.text
    assert "/login/oidc" not in (await client.get("/login")).text  # not configured: no button
    assert (await client.get("/login/oidc", follow_redirects=False)).status_code == 404


async def test_authorization_request_carries_pkce_state_and_nonce(oidc_client, mock_provider) -> None:
    location = await start_login(oidc_client)
    assert location.startswith(mock_provider.url + "/oauth2/authorize?")
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "client_id=fsc-test",
                 "redirect_uri=http%3A%2F%2Ftestserver.local%2Flogin%2Foidc%2Fcallback", "scope=openid+profile"):
        assert part in location


async def test_citizen_logs_in_with_mitid_and_sees_products(oidc_client, mock_provider, db) -> None:
    response, _ = await mitid_login(oidc_client, mock_provider, "karen", "/orders")
    assert response.status_code == 303 and response.headers["location"] == "/orders"
    home = await oidc_client.get("/")
    assert home.status_code == 200 and "Karen Jensen" in home.text
    citizen_id = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    session = await db.fetchrow("SELECT citizen_id, person_id, login_method FROM session")
    assert session["citizen_id"] == citizen_id and session["login_method"] == "oidc"
    person = await db.fetchrow("SELECT * FROM person WHERE id = $1", session["person_id"])
    assert bytes(person["cpr_hash"]) == cpr_hash(TEST_CPR_KEY, MAIN_DEMO_CPR) and person["last_login_at"]
    entry = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1")
    assert entry["citizen_id"] == citizen_id and entry["detail"]["method"] == "oidc"
    assert entry["detail"]["loa"] == "substantial"
    assert MAIN_DEMO_CPR not in str(dict(entry)) and MAIN_DEMO_CPR[:6] not in str(dict(entry))


async def test_second_login_gets_a_new_session_and_the_same_person(oidc_client, mock_provider, db) -> None:
    await mitid_login(oidc_client, mock_provider, "karen")
    first = oidc_client.cookies["fsc_session"]
    await mitid_login(oidc_client, mock_provider, "karen")
    assert oidc_client.cookies["fsc_session"] != first
    assert await db.fetchval("SELECT count(*) FROM session") == 1
    assert await db.fetchval("SELECT count(*) FROM person WHERE NOT is_demo") == 1  # the demo helper aside


async def test_person_without_grants_gets_the_kind_page(oidc_client, mock_provider, db) -> None:
    response, _ = await mitid_login(oidc_client, mock_provider, "newcomer")
    assert response.status_code == 303 and response.headers["location"] == "/welcome"
    page = await oidc_client.get("/welcome")
    assert page.status_code == 200
    assert "Nina Nybegynder" in page.text and "70 00 00 00" in page.text
    assert await db.fetchval("SELECT citizen_id FROM session") is None
    assert await db.fetchval("SELECT name FROM person WHERE NOT is_demo") == "Nina Nybegynder"
    # Citizen pages send them back to the kind page instead of the login page (or an empty home).
    for path in ("/", "/orders"):
        response = await oidc_client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/welcome", path
    entry = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'login'")
    assert entry["actor_kind"] == "person" and entry["citizen_id"] is None


async def test_too_low_assurance_level_is_refused_with_a_reason(oidc_client, mock_provider, db) -> None:
    before = await counts(db)
    response, _ = await mitid_login(oidc_client, mock_provider, "karen-low")
    assert response.status_code == 403
    assert 'data-login-problem="loa_too_low"' in response.text and "MitID" in response.text
    assert "fsc_session" not in oidc_client.cookies
    assert await counts(db) == before


async def test_replayed_callback_is_refused(oidc_client, mock_provider, db) -> None:
    _response, callback = await mitid_login(oidc_client, mock_provider, "karen")
    before = await counts(db)
    replay = await oidc_client.get(path_and_query(callback), follow_redirects=False)
    assert replay.status_code == 400 and 'data-login-problem="state"' in replay.text
    assert await counts(db) == before


async def test_replayed_code_with_a_fresh_state_is_refused_by_the_provider(oidc_client, mock_provider, db) -> None:
    """The code is single use at the provider too: an attacker's own fresh login cannot spend it again."""
    _response, callback = await mitid_login(oidc_client, mock_provider, "karen")
    used_code = dict(p.split("=", 1) for p in callback.split("?", 1)[1].split("&"))["code"]
    authorize_url = await start_login(oidc_client)
    fresh = await authorize_at(mock_provider.url, authorize_url, "karen")
    state = dict(p.split("=", 1) for p in fresh.split("?", 1)[1].split("&"))["state"]
    before = await counts(db)
    response = await oidc_client.get(f"/login/oidc/callback?code={used_code}&state={state}", follow_redirects=False)
    assert response.status_code == 400 and 'data-login-problem="code_refused"' in response.text
    assert await counts(db) == before


@pytest.mark.parametrize("query", ["", "?code=abc", "?code=abc&state=wrong", "?state=&code=x"])
async def test_missing_or_wrong_state_is_refused(oidc_client, db, query) -> None:
    await start_login(oidc_client)
    before = await counts(db)
    response = await oidc_client.get("/login/oidc/callback" + query, follow_redirects=False)
    assert response.status_code == 400 and 'data-login-problem="state"' in response.text
    assert "Start" in response.text or "start" in response.text
    assert await counts(db) == before


async def test_tampered_pending_login_cookie_is_refused(oidc_client, mock_provider, db) -> None:
    authorize_url = await start_login(oidc_client)
    callback = await authorize_at(mock_provider.url, authorize_url, "karen")
    value = oidc_client.cookies["fsc_oidc"]
    oidc_client.cookies.set("fsc_oidc", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"),
                            domain="testserver.local", path="/login/oidc")
    before = await counts(db)
    response = await oidc_client.get(path_and_query(callback), follow_redirects=False)
    assert response.status_code == 400 and 'data-login-problem="state"' in response.text
    assert await counts(db) == before


async def test_cancel_at_the_provider_is_a_clear_page(oidc_client, db) -> None:
    location = await start_login(oidc_client)
    state = dict(p.split("=", 1) for p in location.split("?", 1)[1].split("&"))["state"]
    response = await oidc_client.get(f"/login/oidc/callback?error=access_denied&state={state}")
    assert response.status_code == 400 and 'data-login-problem="cancelled"' in response.text


async def test_logout_ends_the_session_and_the_providers(oidc_client, mock_provider, db) -> None:
    await mitid_login(oidc_client, mock_provider, "karen")
    response = await oidc_client.post("/logout", data={"_csrf_token": await csrf_token(oidc_client)},
                                      follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(mock_provider.url + "/oauth2/end_session?")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver.local%2Flogin" in response.headers["location"]
    assert await db.fetchval("SELECT count(*) FROM session") == 0
    assert (await oidc_client.get("/", follow_redirects=False)).headers["location"] == "/login"


async def test_demo_login_still_works_and_logs_out_locally(oidc_client, db) -> None:
    from tests.conftest import login

    await login(oidc_client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    assert (await oidc_client.get("/")).status_code == 200
    response = await oidc_client.post("/logout", data={"_csrf_token": await csrf_token(oidc_client)},
                                      follow_redirects=False)
    assert response.headers["location"] == "/login"


async def test_tampered_session_cookie_means_signed_out(oidc_client, mock_provider) -> None:
    await mitid_login(oidc_client, mock_provider, "karen")
    token = oidc_client.cookies["fsc_session"]
    oidc_client.cookies.set("fsc_session", token[:-4] + ("abcd" if not token.endswith("abcd") else "wxyz"),
                            domain="testserver.local", path="/")
    response = await oidc_client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
