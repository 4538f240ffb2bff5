"""A caseworker logs in through the organisation's provider (a real oidc-provider-mock process): the
caseworker group plus an authority claim make a caseworker bound to that authority; without a
known authority they are refused and nothing is written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.conftest import make_settings
from tests.integration.test_staff_oidc_login import counts, staff_login
from tests.oidc_providers import MockProvider


@pytest.fixture(scope="module")
def caseworker_provider() -> Iterator[MockProvider]:
    provider = MockProvider()
    provider.set_user("sub-aarhus", {"email": "ny.sagsbehandler@aarhus.example", "name": "Ny Sagsbehandler",
                                     "groups": ["all-staff", "fsc-caseworker"], "authority_code": "751"})
    provider.set_user("sub-no-authority", {"email": "uden@kommune.example", "name": "Uden Myndighed",
                                           "groups": ["fsc-caseworker"]})
    provider.set_user("sub-unknown-authority", {"email": "ukendt@kommune.example", "name": "Ukendt",
                                                "groups": ["fsc-caseworker"], "authority_code": 9999})
    provider.set_user("sub-odd-authority", {"email": "odd@kommune.example", "name": "Odd",
                                            "groups": ["fsc-caseworker"], "authority_code": "７５１"})
    yield provider
    provider.stop()


@pytest.fixture
async def oidc_client(db_url: str, caseworker_provider: MockProvider) -> AsyncIterator[AsyncTestClient]:
    settings = make_settings(staff_oidc_issuer=caseworker_provider.url, staff_oidc_client_id="fsc-staff",
                             staff_oidc_client_secret="s3cret")
    async with AsyncTestClient(app=create_app(settings, database_url=db_url), base_url="http://testserver.local") as c:
        yield c


async def test_a_caseworker_is_bound_to_the_authority_in_the_claim(oidc_client, caseworker_provider, db) -> None:
    response = await staff_login(oidc_client, caseworker_provider, "sub-aarhus")
    assert response.status_code == 303 and response.headers["location"] == "/fsc/sag"
    row = await db.fetchrow("SELECT s.role, a.code FROM staff s JOIN authority a ON a.id = s.authority_id "
                            "WHERE s.oidc_subject = 'sub-aarhus'")
    assert (row["role"], row["code"]) == ("caseworker", 751)
    queue = await oidc_client.get("/fsc/sag")
    assert queue.status_code == 200 and "Ny Sagsbehandler" in queue.text and "Aarhus" in queue.text
    assert (await oidc_client.get("/fsc/queue", follow_redirects=False)).status_code == 403


@pytest.mark.parametrize("sub", ["sub-no-authority", "sub-unknown-authority", "sub-odd-authority"])
async def test_a_caseworker_without_a_known_authority_is_refused(oidc_client, caseworker_provider, db, sub) -> None:
    before = await counts(db)
    response = await staff_login(oidc_client, caseworker_provider, sub)
    assert response.status_code == 403 and 'data-login-problem="no_authority"' in response.text
    assert await counts(db) == before
