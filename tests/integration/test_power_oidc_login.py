"""Issue 14: a helper logs in with their OWN MitID (the OIDC mock provider) and chooses whom to act
for; an invitation link opened before login survives the login."""

from __future__ import annotations

from backend.seed.helpers import HELPER_DEMO_CPR
from tests.integration.power_helpers import act_for, invite, karen, shown_token
from tests.integration.test_oidc_login import mitid_login, mock_provider, oidc_client  # noqa: F401 (fixtures)
from tests.oidc_providers import citizen_claims
from tests.conftest import login


async def test_a_helper_only_person_logs_in_with_mitid_and_chooses_whom_to_act_for(oidc_client, mock_provider, db):
    mock_provider.set_user("sofie", citizen_claims(HELPER_DEMO_CPR, "Sofie Jensen"))
    response, _ = await mitid_login(oidc_client, mock_provider, "sofie")
    assert response.status_code == 303 and response.headers["location"] == "/fuldmagt/vaelg"
    chooser = await oidc_client.get("/fuldmagt/vaelg")
    assert "Karen Jensen" in chooser.text
    power = await db.fetchval("SELECT id FROM power_of_attorney WHERE citizen_id = $1", await karen(db))
    assert (await act_for(oidc_client, power)).status_code == 303
    home = await oidc_client.get("/")
    assert "Du handler for Karen Jensen" in home.text


async def test_an_invitation_link_opened_before_the_mitid_login_comes_back_after_it(oidc_client, mock_provider, db):
    await login(oidc_client, await karen(db))
    token = shown_token((await invite(oidc_client, "Nina", "view")).text)
    oidc_client.cookies.clear()
    mock_provider.set_user("nina-helper", citizen_claims("0101901234", "Nina Nybegynder"))
    response, _ = await mitid_login(oidc_client, mock_provider, "nina-helper", next_path=f"/fuldmagt?t={token}")
    assert response.status_code == 303 and response.headers["location"] == f"/fuldmagt?t={token}"
    page = await oidc_client.get(response.headers["location"])
    assert "Karen Jensen inviterer dig" in page.text
