"""Staff sessions and staff accounts through the ASGI app: idle timeout and lifetime, logout, and a
supervisor deactivating (and reactivating) a staff member, which ends their sessions at once.

A "browser" is a cookie jar: the supervisor's and the advisor's on one client.
"""

import datetime as dt

import httpx

from backend.seed.demo import MAIN_DEMO_CPR
from backend.staff.sessions import STAFF_COOKIE, start_staff_session
from tests.conftest import citizen_id_by_cpr, csrf_token, login, make_settings
from tests.integration.test_sessions import max_age, set_cookie
from tests.integration.test_staff import post, staff_id, staff_login


async def on_console(client) -> bool:
    """The queue answers (200) for a live staff session; otherwise the staff login page (303)."""
    response = await client.get("/fsc/queue", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


async def test_staff_sessions_end_after_30_minutes_idle_or_10_hours(client, db):
    member = await staff_id(db, "Anne Holm")
    response = await client.post("/fsc/login/demo", data={"staff_id": str(member),
                                                          "_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert max_age(set_cookie(response, STAFF_COOKIE)) == 10 * 3600
    row = await db.fetchrow("SELECT expires_at - created_at AS lifetime, idle_timeout FROM staff_session")
    assert (row["lifetime"], row["idle_timeout"]) == (dt.timedelta(hours=10), dt.timedelta(minutes=30))
    # 29 minutes away: still signed in, and the use starts the idle time again.
    await db.execute("UPDATE staff_session SET last_seen_at = now() - interval '29 minutes', "
                     "idle_expires_at = now() + interval '1 minute'")
    assert await on_console(client)
    assert await db.fetchval("SELECT idle_expires_at - now() > interval '29 minutes' FROM staff_session")
    # 30 minutes away: signed out.
    await db.execute("UPDATE staff_session SET last_seen_at = now() - interval '30 minutes', idle_expires_at = now()")
    assert not await on_console(client)
    # Busy, but past the lifetime: signed out as well.
    await db.execute("UPDATE staff_session SET last_seen_at = now(), idle_expires_at = now() + interval '30 minutes', "
                     "expires_at = now() - interval '1 second'")
    assert not await on_console(client)


async def test_staff_logout_ends_the_session_on_the_server(client, db):
    await staff_login(client, await staff_id(db, "Jonas Friis"))
    token = client.cookies[STAFF_COOKIE]
    response = await post(client, "/fsc/logout")
    assert response.status_code == 303 and max_age(set_cookie(response, STAFF_COOKIE)) == 0
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 0
    client.cookies.delete(STAFF_COOKIE)
    client.cookies.set(STAFF_COOKIE, token, domain="testserver.local", path="/fsc")
    assert not await on_console(client)


async def test_a_new_staff_session_id_at_every_login(client, db):
    member = await staff_id(db, "Jonas Friis")
    await staff_login(client, member)
    first = client.cookies[STAFF_COOKIE]
    await staff_login(client, member)
    assert client.cookies[STAFF_COOKIE] != first
    assert await db.fetchval("SELECT count(*) FROM staff_session") == 1


async def test_supervisor_deactivates_a_staff_member_who_is_logged_out_at_once(client, db):
    advisor = await staff_id(db, "Anne Holm")
    await staff_login(client, advisor)
    advisors_browser = httpx.Cookies(client.cookies)
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Peter Vang"))   # supervisor
    page = await client.get("/fsc/staff")
    assert page.status_code == 200
    assert "Medarbejdere" in page.text and "Anne Holm" in page.text
    assert f'action="/fsc/staff/{advisor}/deactivate"' in page.text

    done = await post(client, f"/fsc/staff/{advisor}/deactivate")
    assert done.status_code == 303 and done.headers["location"] == "/fsc/staff"
    after = (await client.get("/fsc/staff")).text
    assert "Medarbejderen er deaktiveret og logget ud." in after
    assert f'action="/fsc/staff/{advisor}/reactivate"' in after
    assert not await db.fetchval("SELECT active FROM staff WHERE id = $1", advisor)
    assert await db.fetchval("SELECT count(*) FROM staff_session WHERE staff_id = $1", advisor) == 0
    assert await db.fetchval("SELECT detail FROM audit_log WHERE action = 'staff_deactivated'") == {
        "staff_id": advisor, "sessions_ended": 1}
    assert "Deaktiverede en medarbejder" in (await client.get("/fsc/reports")).text

    supervisors_browser = httpx.Cookies(client.cookies)
    client.cookies = advisors_browser
    assert not await on_console(client)
    assert "Anne Holm" not in (await client.get("/fsc/login")).text
    # The login page of a browser whose session ended carries the signed-out token (the cookie's).
    refused = await client.post("/fsc/login/demo", data={"staff_id": str(advisor),
                                                         "_csrf_token": client.cookies["fsc_csrf"]})
    assert refused.status_code == 422
    settings = make_settings()
    assert await start_staff_session(db, settings, advisor, None) is None   # the OIDC login is refused too
    assert await db.fetchval("SELECT count(*) FROM staff_session WHERE staff_id = $1", advisor) == 0

    client.cookies = supervisors_browser
    again = await post(client, f"/fsc/staff/{advisor}/reactivate")
    assert again.status_code == 303
    assert "Medarbejderen kan logge ind igen." in (await client.get("/fsc/staff")).text
    client.cookies = advisors_browser
    await staff_login(client, advisor)
    assert await on_console(client)
    actions = [r["action"] for r in await db.fetch("SELECT action FROM audit_log WHERE actor_kind = 'staff' "
                                                    "AND action LIKE 'staff_%activated' ORDER BY id")]
    assert actions == ["staff_deactivated", "staff_reactivated"]


async def test_an_existing_session_of_a_deactivated_member_stops_working(client, db):
    advisor = await staff_id(db, "Jonas Friis")
    await staff_login(client, advisor)
    # Deactivated by other means (a database change, a later OIDC sync): the session row is still there.
    await db.execute("UPDATE staff SET active = false WHERE id = $1", advisor)
    assert not await on_console(client)


async def test_only_a_supervisor_may_manage_staff_and_not_themselves(client, db):
    supervisor = await staff_id(db, "Peter Vang")
    await login(client, await citizen_id_by_cpr(db, MAIN_DEMO_CPR))
    assert (await client.get("/fsc/staff", follow_redirects=False)).status_code == 403
    client.cookies.clear()
    await staff_login(client, await staff_id(db, "Anne Holm"))   # advisor
    assert (await client.get("/fsc/staff")).status_code == 403
    for action in ("deactivate", "reactivate"):
        assert (await post(client, f"/fsc/staff/{supervisor}/{action}")).status_code == 403
    assert await db.fetchval("SELECT active FROM staff WHERE id = $1", supervisor)
    client.cookies.clear()
    await staff_login(client, supervisor)
    refused = await post(client, f"/fsc/staff/{supervisor}/deactivate")
    assert refused.status_code == 303
    assert "Du kan ikke deaktivere dig selv." in (await client.get("/fsc/staff")).text
    assert await db.fetchval("SELECT active FROM staff WHERE id = $1", supervisor)
    unknown = await post(client, "/fsc/staff/999999/deactivate")
    assert unknown.status_code == 303
    assert "Medarbejderen findes ikke" in (await client.get("/fsc/staff")).text
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'staff_%activated'") == 0

