"""Citizen login sessions through the ASGI app: a new id at every login, idle timeout and lifetime,
"remember this phone", logout and "log out everywhere", Secure cookies behind https.

Time passes by moving the session's timestamps in the database, never by sleeping. A "browser"
is a cookie jar: two of them on one client are two phones signed in as the same citizen.
"""

import datetime as dt

import httpx
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.auth.queries import touch_session
from backend.auth.sessions import SESSION_COOKIE
from backend.db.pool import create_pool
from backend.housekeeping import housekeeping
from tests.conftest import csrf_token, login, make_settings
from tests.factories import make_citizen

HOUR = 3600


async def signed_in(client) -> bool:
    """The home page answers (200) for a live session; a signed-out visitor is sent to /login."""
    response = await client.get("/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def use_token(client, token: str) -> None:
    """Make the browser carry ``token`` as its session cookie (instead of the one it has)."""
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")


def set_cookie(response, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def max_age(header: str) -> int:
    return int(next(p.split("=", 1)[1] for p in header.split("; ") if p.lower().startswith("max-age=")))


async def demo_login(client, citizen: int, **extra: str):
    response = await client.post("/login/demo", data={"citizen_id": str(citizen), "_csrf_token": await csrf_token(client),
                                                      **extra}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


async def run_housekeeping(db_url: str) -> None:
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        await housekeeping(pool)
    finally:
        await pool.close()


async def test_every_login_gets_a_new_session_id_and_the_old_one_stops_working(client, db):
    citizen = await make_citizen(db, "Ny Nøgle", "0101701234")
    other = await make_citizen(db, "Anden Person", "0202701234")
    # A planted id (as if an attacker had set it in the browser) that is a real session of its own.
    await login(client, other)
    planted = client.cookies[SESSION_COOKIE]
    await login(client, citizen)
    first = client.cookies[SESSION_COOKIE]
    assert first != planted
    await login(client, citizen)
    second = client.cookies[SESSION_COOKIE]
    assert second != first
    assert await db.fetchval("SELECT count(*) FROM session") == 1   # the planted and the first are gone
    assert await db.fetchval("SELECT citizen_id FROM session") == citizen
    for old in (planted, first):
        use_token(client, old)
        assert not await signed_in(client)
    use_token(client, second)
    assert await signed_in(client)


async def test_a_session_ends_after_the_idle_timeout_and_is_cleaned_up(client, db, db_url):
    citizen = await make_citizen(db, "Gik Fra", "0303701234")
    await login(client, citizen)
    row = await db.fetchrow("SELECT expires_at - created_at AS lifetime, idle_timeout, remember FROM session")
    assert (row["lifetime"], row["idle_timeout"], row["remember"]) == (dt.timedelta(hours=12), dt.timedelta(hours=2),
                                                                       False)
    # 1 h 59 min without use: still signed in, and this use starts the idle time again.
    await db.execute("UPDATE session SET last_seen_at = now() - interval '119 minutes', "
                     "idle_expires_at = now() + interval '1 minute'")
    assert await signed_in(client)
    moved = await db.fetchrow("SELECT now() - last_seen_at AS since, idle_expires_at - now() AS left FROM session")
    assert moved["since"] < dt.timedelta(seconds=5) and moved["left"] > dt.timedelta(minutes=119)
    # Two hours without use: signed out, sent to the login page.
    await db.execute("UPDATE session SET last_seen_at = now() - interval '2 hours', idle_expires_at = now()")
    response = await client.get("/orders", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert await db.fetchval("SELECT count(*) FROM session") == 1
    await run_housekeeping(db_url)
    assert await db.fetchval("SELECT count(*) FROM session") == 0


async def test_reading_pages_records_the_use_at_most_once_a_minute(client, db):
    citizen = await make_citizen(db, "Læser Meget", "0404701234")
    await login(client, citizen)
    await db.execute("UPDATE session SET last_seen_at = now() - interval '30 seconds'")
    before = await db.fetchval("SELECT last_seen_at FROM session")
    xmin = await db.fetchval("SELECT xmin::text FROM session")
    for _ in range(3):
        assert await signed_in(client)
    assert await db.fetchval("SELECT last_seen_at FROM session") == before
    assert await db.fetchval("SELECT xmin::text FROM session") == xmin   # the row was not written at all
    # The write, when due, skips the wait for the disk for itself only: the connection goes back
    # to the pool committing as durably as before (orders must).
    await db.execute("UPDATE session SET last_seen_at = now() - interval '61 seconds'")
    await touch_session(db, await db.fetchval("SELECT token_hash FROM session"))
    assert await db.fetchval("SELECT now() - last_seen_at < interval '5 seconds' FROM session")
    assert await db.fetchval("SHOW synchronous_commit") == "on"


async def test_a_session_ends_at_its_lifetime_however_busy(client, db):
    citizen = await make_citizen(db, "Travl Bruger", "0505701234")
    await login(client, citizen)
    # Used a minute ago, but logged in more than 12 hours ago.
    await db.execute("UPDATE session SET created_at = now() - interval '12 hours 1 minute', "
                     "expires_at = now() - interval '1 minute', last_seen_at = now() - interval '1 minute'")
    assert not await signed_in(client)
    # Use never stretches a session past its lifetime.
    await db.execute("UPDATE session SET expires_at = now() + interval '10 minutes', "
                     "last_seen_at = now() - interval '5 minutes'")
    assert await signed_in(client)
    assert await db.fetchval("SELECT idle_expires_at = expires_at FROM session")


async def test_remember_this_phone_gives_a_longer_session_and_cookie(client, db):
    citizen = await make_citizen(db, "Husk Mig", "0606701234")
    page = (await client.get("/login")).text
    assert 'name="remember"' in page and "Husk mig på denne telefon" in page and "op til 90 dage" in page
    short = await demo_login(client, citizen)
    assert max_age(set_cookie(short, SESSION_COOKIE)) == 12 * HOUR
    remembered = await demo_login(client, citizen, remember="1")
    assert max_age(set_cookie(remembered, SESSION_COOKIE)) == 90 * 24 * HOUR
    row = await db.fetchrow("SELECT expires_at - created_at AS lifetime, idle_timeout, remember FROM session")
    assert (row["lifetime"], row["idle_timeout"], row["remember"]) == (dt.timedelta(days=90), dt.timedelta(days=30),
                                                                       True)
    detail = await db.fetchval("SELECT detail FROM audit_log WHERE citizen_id = $1 AND action = 'login' "
                               "ORDER BY id DESC LIMIT 1", citizen)
    assert detail == {"method": "demo", "remember": True}
    # Three weeks without use: still signed in; 30 days: signed out.
    await db.execute("UPDATE session SET last_seen_at = now() - interval '21 days', "
                     "idle_expires_at = now() + interval '9 days'")
    assert await signed_in(client)
    await db.execute("UPDATE session SET last_seen_at = now() - interval '30 days', idle_expires_at = now()")
    assert not await signed_in(client)


async def test_logout_ends_the_session_on_the_server_and_the_cookie_no_longer_works(client, db):
    citizen = await make_citizen(db, "Går Nu", "0707701234")
    await login(client, citizen)
    token = client.cookies[SESSION_COOKIE]
    response = await client.post("/logout", data={"_csrf_token": await csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert max_age(set_cookie(response, SESSION_COOKIE)) == 0
    assert await db.fetchval("SELECT count(*) FROM session") == 0
    use_token(client, token)   # a copy of the cookie kept elsewhere
    assert not await signed_in(client)


async def test_log_out_everywhere_ends_every_session_of_the_citizen_only(client, db):
    citizen = await make_citizen(db, "Mistet Telefon", "0808701234")
    neighbour = await make_citizen(db, "Nabo Nielsen", "0909701234")
    await login(client, neighbour)
    neighbours_phone = httpx.Cookies(client.cookies)
    client.cookies.clear()
    await login(client, citizen)
    lost_phone = httpx.Cookies(client.cookies)
    client.cookies.clear()
    await login(client, citizen)
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 2
    page = (await client.get("/notifications")).text
    assert 'action="/logout/everywhere"' in page and "Log ud på alle enheder" in page

    response = await client.post("/logout/everywhere", data={"_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert max_age(set_cookie(response, SESSION_COOKIE)) == 0
    assert "Du er nu logget ud på alle dine enheder." in (await client.get("/login")).text
    assert not await signed_in(client)
    client.cookies = lost_phone
    assert not await signed_in(client)
    client.cookies = neighbours_phone
    assert await signed_in(client)
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 0
    detail = await db.fetchval("SELECT detail FROM audit_log WHERE citizen_id = $1 AND action = 'logout_everywhere'",
                               citizen)
    assert detail == {"sessions": 2}


async def test_log_out_everywhere_needs_a_login_and_the_csrf_token(client, db):
    citizen = await make_citizen(db, "Uden Token", "1010701234")
    anonymous = await client.post("/logout/everywhere", data={"_csrf_token": await csrf_token(client)},
                                  follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    await login(client, citizen)
    forged = await client.post("/logout/everywhere", data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM session WHERE citizen_id = $1", citizen) == 1


async def test_every_cookie_is_secure_when_served_over_https(db_url, db):
    citizen = await make_citizen(db, "Sikker Forbindelse", "1111701234")
    member = await db.fetchval("SELECT id FROM staff WHERE name = 'Anne Holm'")
    app = create_app(make_settings(cookie_secure=True), database_url=db_url)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        responses = [await client.get("/login")]
        responses.append(await demo_login(client, citizen, remember="1"))
        token = await csrf_token(client)
        responses.append(await client.post("/language", data={"language": "en", "_csrf_token": token},
                                           follow_redirects=False))
        responses.append(await client.post("/fsc/login/demo", data={"staff_id": str(member), "_csrf_token": token},
                                           follow_redirects=False))
        responses.append(await client.post("/fsc/logout", data={"_csrf_token": token}, follow_redirects=False))
        responses.append(await client.post("/logout/everywhere", data={"_csrf_token": token}, follow_redirects=False))
    cookies = [h for r in responses for h in r.headers.get_list("set-cookie")]
    names = {h.split("=", 1)[0] for h in cookies}
    assert {"fsc_csrf", "fsc_session", "fsc_lang", "fsc_staff_session", "fsc_flash"} <= names, names
    insecure = [h for h in cookies if "secure" not in [p.strip().lower() for p in h.split(";")]]
    assert not insecure
