"""The accessibility statement and the privacy page: public, translated, linked from every page's
footer, with FSC's contact details from the settings (issue 15 §5)."""

from __future__ import annotations

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, login


async def test_both_pages_are_public_translated_and_carry_fscs_contact(client):
    statement = await client.get("/tilgaengelighed")
    assert statement.status_code == 200
    assert "<h1>Tilgængelighedserklæring</h1>" in statement.text
    assert "WCAG 2.1" in statement.text and "Kendte afvigelser" in statement.text and "overholder delvist" in statement.text
    assert "70 00 00 00" in statement.text and 'href="mailto:fsc@example.org"' in statement.text
    assert "digst.dk" in statement.text
    privacy = await client.get("/privatliv")
    assert privacy.status_code == 200 and "Sådan behandler vi dine oplysninger" in privacy.text
    assert "datatilsynet.dk" in privacy.text
    english = await client.get("/privatliv", headers={"Accept-Language": "en"})
    assert "How we handle your data" in english.text and "Sådan behandler" not in english.text


async def test_every_page_links_to_them_in_the_footer(client, db):
    for signed_in in (False, True):
        if signed_in:
            await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
        for path in ("/login", "/", "/orders", "/tilgaengelighed"):
            page = await client.get(path)
            if page.status_code != 200:
                continue  # a citizen page while signed out redirects to the login page
            footer = page.text[page.text.index("<footer"):]
            assert 'href="/tilgaengelighed"' in footer and 'href="/privatliv"' in footer, path
            assert 'href="tel:70000000"' in footer, path
