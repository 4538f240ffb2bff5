"""The help and contact page, and the municipality contacts supervisors keep (issue 15 §4)."""

from __future__ import annotations

import datetime as dt
import re

from backend.seed.demo import MAIN_DEMO_CPR
from tests.conftest import citizen_id_by_cpr, csrf_token, login
from tests.integration.test_staff import staff_id, staff_login


async def aarhus(db) -> dict:
    return dict(await db.fetchrow("SELECT id, code, contact_name, contact_phone, contact_email, contact_url "
                                  "FROM authority WHERE name = 'Aarhus'"))


async def test_opening_hours_and_closed_days_come_from_the_callback_schedule(client, db):
    await db.execute("UPDATE callback_opening_hours SET opens = '07:30', closes = '15:15' WHERE weekday = 0")
    await db.execute("UPDATE callback_opening_hours SET opens = NULL, closes = NULL WHERE weekday = 4")
    page = (await client.get("/hjaelp")).text
    assert 'href="tel:70000000"' in page
    assert re.search(r"<th scope=\"row\">Mandag</th>\s*<td>07\.30–15\.15</td>", page)
    assert re.search(r"<th scope=\"row\">Fredag</th>\s*<td>Lukket</td>", page)
    today = dt.date.today()
    christmas = dt.date(today.year if today <= dt.date(today.year, 12, 25) else today.year + 1, 12, 25)
    if christmas - today <= dt.timedelta(days=90):
        assert "(Juledag)" in page
    english = (await client.get("/hjaelp", headers={"Accept-Language": "en"})).text
    assert re.search(r"<th scope=\"row\">Monday</th>\s*<td>07:30–15:15</td>", english)


async def test_signed_out_a_citizen_picks_the_municipality_signed_in_it_is_their_own(client, db):
    contact = await aarhus(db)
    assert contact["contact_name"] and contact["contact_phone"]  # seeded for the demo authorities
    signed_out = (await client.get("/hjaelp")).text
    assert 'name="kommune"' in signed_out and 'data-testid="municipality-contact"' not in signed_out
    chosen = (await client.get(f"/hjaelp?kommune={contact['code']}")).text
    assert contact["contact_name"] in chosen and contact["contact_email"] in chosen
    for odd in ("abc", "99999", "٧٥١", "-1", "1" * 30):
        response = await client.get("/hjaelp", params={"kommune": odd})
        assert response.status_code == 200 and 'data-testid="municipality-contact"' not in response.text, odd
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))  # Karen Jensen lives in Aarhus
    own = (await client.get("/hjaelp")).text
    assert contact["contact_name"] in own and 'name="kommune"' not in own
    home = (await client.get("/")).text
    assert 'href="/hjaelp"' in home  # in the menu (and the footer)


async def test_a_supervisor_keeps_the_contact_and_citizens_see_it(client, db):
    contact = await aarhus(db)
    await staff_login(client, await staff_id(db, "Peter Vang"))
    url = f"/fsc/authorities/{contact['id']}/contact"
    assert "Kommunernes kontakter" in (await client.get("/fsc/authorities")).text
    for bad in ({"name": "", "phone": "89 40 20 00"}, {"name": "Hjælpemidler", "phone": "ring ring"},
                {"name": "Hjælpemidler", "email": "nope"}, {"name": "Hjælpemidler", "url": "http://x.dk"},
                {"name": "Hjælpemidler"}, {"name": "x\x00", "phone": "89 40 20 00"}):
        refused = await client.post(url, data={**bad, "_csrf_token": await csrf_token(client, url)})
        assert refused.status_code in (400, 422), (bad, refused.status_code)
        assert await aarhus(db) == contact, bad
    saved = await client.post(url, data={"name": "Aarhus Kommune, Hjælpemiddelcentret", "phone": "89 40 20 00",
                                         "email": "", "url": "https://www.aarhus.dk/hjaelpemidler",
                                         "_csrf_token": await csrf_token(client, url)}, follow_redirects=False)
    assert saved.status_code == 303
    after = await aarhus(db)
    assert (after["contact_name"], after["contact_phone"], after["contact_email"]) == (
        "Aarhus Kommune, Hjælpemiddelcentret", "89 40 20 00", None)
    assert await db.fetchval("SELECT detail FROM audit_log WHERE action = 'authority_contact_changed'") == {
        "authority_id": contact["id"]}
    assert "Kontakten for Aarhus er gemt." in (await client.get("/fsc/authorities")).text
    shown = (await client.get(f"/hjaelp?kommune={contact['code']}")).text
    assert "Hjælpemiddelcentret" in shown and 'href="tel:89402000"' in shown


async def test_advisors_and_citizens_cannot_change_contacts(client, db):
    contact = await aarhus(db)
    url = f"/fsc/authorities/{contact['id']}/contact"
    await staff_login(client, await staff_id(db, "Anne Holm"))
    assert (await client.get("/fsc/authorities")).status_code == 403
    refused = await client.post(url, data={"name": "X", "phone": "70 00 00 00",
                                           "_csrf_token": await csrf_token(client, url)})
    assert refused.status_code == 403
    assert await aarhus(db) == contact
