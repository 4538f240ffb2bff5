"""ID tokens a real provider never issues, and a provider that is down: each gets a clear page, nothing written.

The provider here is our own small HTTP server (tests/oidc_providers.py EvilProvider) that signs what
each test asks for; the app talks to it over real HTTP like to any provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import make_settings
from tests.e2e.conftest import free_port
from tests.oidc_providers import EvilProvider, citizen_claims, path_and_query

CLIENT_ID = "fsc-test"


@pytest.fixture
def evil() -> Iterator[EvilProvider]:
    provider = EvilProvider(CLIENT_ID)
    provider.claims = citizen_claims(MAIN_DEMO_CPR, "Karen Jensen")
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
async def evil_client(db_url: str, evil: EvilProvider) -> AsyncIterator[AsyncTestClient]:
    settings = make_settings(oidc_issuer=evil.url, oidc_client_id=CLIENT_ID, oidc_client_secret="client-secret")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        yield c


async def counts(db) -> tuple[int, int, int]:
    return (await db.fetchval("SELECT count(*) FROM session"), await db.fetchval("SELECT count(*) FROM person"),
            await db.fetchval("SELECT count(*) FROM audit_log"))


async def login_through(client: AsyncTestClient, evil: EvilProvider):
    start = await client.get("/login/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    import httpx

    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302
    return await client.get(path_and_query(at_provider.headers["location"]), follow_redirects=False)


async def test_a_good_token_from_this_provider_logs_in(evil_client, evil, db) -> None:
    response = await login_through(evil_client, evil)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert await db.fetchval("SELECT count(*) FROM session") == 1


async def test_a_rotated_key_is_fetched_once(evil_client, evil, db) -> None:
    await login_through(evil_client, evil)  # the app now holds the first key set
    fetched = evil.jwks_fetches
    evil.mode = "rotated"
    response = await login_through(evil_client, evil)
    assert response.status_code == 303, response.text
    assert evil.jwks_fetches == fetched + 1


@pytest.mark.parametrize("mode", ["wrong_nonce", "expired", "future", "wrong_audience", "wrong_issuer",
                                  "other_key", "alg_none", "hs256"])
async def test_an_untrustworthy_id_token_is_refused(evil_client, evil, db, mode) -> None:
    evil.mode = mode
    before = await counts(db)
    response = await login_through(evil_client, evil)
    assert response.status_code == 400, (mode, response.text)
    assert 'data-login-problem="bad_token"' in response.text
    assert "Vi kunne ikke bekræfte dit login" in response.text  # translated (Danish by default)
    assert "fsc_session" not in evil_client.cookies
    assert await counts(db) == before


async def test_too_low_level_from_the_claims_is_refused(evil_client, evil, db) -> None:
    evil.claims = citizen_claims(MAIN_DEMO_CPR, "Karen Jensen", loa="https://data.gov.dk/concept/core/nsis/loa/Low")
    before = await counts(db)
    response = await login_through(evil_client, evil)
    assert response.status_code == 403 and 'data-login-problem="loa_too_low"' in response.text
    assert await counts(db) == before


async def test_high_level_as_a_nemlog_in_uri_is_let_in(evil_client, evil, db) -> None:
    evil.claims = citizen_claims(MAIN_DEMO_CPR, "Karen Jensen", loa="https://data.gov.dk/concept/core/nsis/loa/High")
    response = await login_through(evil_client, evil)
    assert response.status_code == 303


async def test_token_endpoint_error_is_the_provider_down_page(evil_client, evil, db) -> None:
    evil.mode = "token_500"
    before = await counts(db)
    response = await login_through(evil_client, evil)
    assert response.status_code == 503 and 'data-login-problem="provider_down"' in response.text
    assert "70 00 00 00" in response.text
    assert await counts(db) == before


async def test_provider_answering_errors_is_a_friendly_page(evil_client, evil) -> None:
    evil.mode = "down"
    response = await evil_client.get("/login/oidc", follow_redirects=False)
    assert response.status_code == 503 and 'data-login-problem="provider_down"' in response.text


async def test_provider_not_listening_is_a_friendly_page_in_english(db_url) -> None:
    settings = make_settings(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id=CLIENT_ID,
                             service_phone="+45 11 22 33 44")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        response = await c.get("/login/oidc", headers={"Accept-Language": "en"}, follow_redirects=False)
    assert response.status_code == 503
    assert "Login is not working right now" in response.text and "+45 11 22 33 44" in response.text


async def test_private_key_jwt_client_authentication(db_url, evil, db, tmp_path) -> None:
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048)
    (tmp_path / "client.pem").write_bytes(key.as_pem(private=True))
    evil.client_public_key = RSAKey.import_key(key.as_pem(private=False))
    settings = make_settings(oidc_issuer=evil.url, oidc_client_id=CLIENT_ID,
                             oidc_client_key_file=str(tmp_path / "client.pem"))
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        response = await login_through(c, evil)
    assert response.status_code == 303, response.text
    assert len(evil.client_assertions) == 1 and evil.client_assertions[0]["iss"] == CLIENT_ID

    # The same provider refuses a client that only has the secret: a clear page, nothing written.
    before = await counts(db)
    plain = make_settings(oidc_issuer=evil.url, oidc_client_id=CLIENT_ID, oidc_client_secret="client-secret")
    async with AsyncTestClient(app=create_app(plain, database_url=db_url), base_url="http://testserver.local") as c:
        response = await login_through(c, evil)
    assert response.status_code == 400 and 'data-login-problem="code_refused"' in response.text
    assert await counts(db) == before
