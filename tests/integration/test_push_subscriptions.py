"""The notifications page: subscribe (validated, nothing written on bad input; only the push
services' addresses; at most 10 devices, the oldest replaced), my devices, remove (only my own),
per-type preferences, the service worker's renewal."""

from __future__ import annotations

import re

import pytest

from backend.push.vapid import b64url
from tests.conftest import csrf_token, login
from tests.factories import make_citizen
from tests.push_fixtures import VAPID_PUBLIC, push_settings
from tests.push_service import LocalPushService

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile Safari/604.1"


VALID_P256DH = LocalPushService(VAPID_PUBLIC).add_device().p256dh


@pytest.fixture
def settings():
    return push_settings()


def device_json(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123") -> dict:
    device = LocalPushService(VAPID_PUBLIC).add_device()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": device.p256dh, "auth": device.auth}}


async def post_json(client, url: str, body, **headers):
    return await client.post(url, json=body, headers={"x-csrftoken": await csrf_token(client)} | headers)


async def test_subscribe_list_and_remove(client, db):
    citizen = await make_citizen(db, "Notifi Testesen", "1301801234")
    await login(client, citizen)
    page = await client.get("/notifications")
    assert page.status_code == 200
    assert "Slå notifikationer til på denne telefon" in page.text and f'data-public-key="{VAPID_PUBLIC}"' in page.text
    assert "Ingen enheder får notifikationer endnu." in page.text

    body = device_json()
    answer = await post_json(client, "/notifications/subscriptions", body, **{"user-agent": IPHONE})
    assert answer.status_code == 201, answer.text
    again = await post_json(client, "/notifications/subscriptions", body)  # the same phone again: one row
    assert again.status_code == 201 and again.json()["id"] == answer.json()["id"]
    row = await db.fetchrow("SELECT * FROM push_subscription WHERE citizen_id = $1", citizen)
    assert (row["endpoint"], row["p256dh"], row["auth"], row["language"]) == (
        body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"], "da")
    assert "iPhone · Safari" in (await client.get("/notifications")).text

    removed = await client.post(f"/notifications/subscriptions/{row['id']}/delete",
                                data={"_csrf_token": await csrf_token(client)}, follow_redirects=False)
    assert removed.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"endpoint": "http://push.example.net/x"}, "Adressen fra telefonens notifikationstjeneste er ikke gyldig"),
    ({"endpoint": "javascript:alert(1)"}, "Adressen fra telefonens notifikationstjeneste er ikke gyldig"),
    ({"keys": {"p256dh": "AAAA", "auth": b64url(b"a" * 16)}}, "Krypteringsnøglerne fra telefonen er ikke gyldige"),
    ({"keys": {"p256dh": VALID_P256DH, "auth": b64url(b"a" * 12)}}, "Krypteringsnøglerne fra telefonen er ikke gyldige"),
    ({"keys": {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}},
     "Krypteringsnøglerne fra telefonen er ikke gyldige"),  # not a point on the curve
    ({"keys": {"p256dh": None, "auth": "x"}}, "Vi forstod ikke forespørgslen"),
    ({"endpoint": 42}, "Vi forstod ikke forespørgslen"),
])
async def test_bad_subscriptions_are_refused_and_write_nothing(client, db, change, message):
    citizen = await make_citizen(db, "Forkert Testesen", "1401801234")
    await login(client, citizen)
    body = device_json()
    answer = await post_json(client, "/notifications/subscriptions", body | change)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


NOT_VALID = "Adressen fra telefonens notifikationstjeneste er ikke gyldig"
UNKNOWN_SERVICE = "Telefonens browser bruger en notifikationstjeneste, som vi ikke kan sende til"
INTERNAL_ADDRESSES = [   # what a forged subscription would make the worker POST to
    ("https://127.0.0.1/push/x", UNKNOWN_SERVICE),
    ("https://localhost/push/x", UNKNOWN_SERVICE),
    ("https://169.254.169.254/latest/meta-data/iam/security-credentials/", UNKNOWN_SERVICE),
    ("https://10.0.0.5:6379/", UNKNOWN_SERVICE),
    ("https://[::ffff:10.0.0.5]/", UNKNOWN_SERVICE),
    ("https://fcm.googleapis.com:6379/fcm/send/x", UNKNOWN_SERVICE),
    ("https://fcm.googleapis.com.attacker.example/fcm/send/x", UNKNOWN_SERVICE),
    ("https://admin:secret@fcm.googleapis.com/fcm/send/x", NOT_VALID),
    ("https://fcm.googleapis.com@10.0.0.5/fcm/send/x", NOT_VALID),
]


@pytest.mark.parametrize(("endpoint", "message"), INTERNAL_ADDRESSES)
async def test_only_the_push_services_addresses_are_taken(client, db, endpoint, message):
    citizen = await make_citizen(db, "Ssrf Testesen", "2001801234")
    await login(client, citizen)
    answer = await post_json(client, "/notifications/subscriptions", device_json(endpoint))
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'push_subscribed'") == 0


@pytest.mark.parametrize(("endpoint", "message"), INTERNAL_ADDRESSES)
async def test_the_renewal_takes_only_the_push_services_addresses(client, db, endpoint, message):
    citizen = await make_citizen(db, "Fornyssrf Testesen", "2101801234")
    old = device_json("https://fcm.googleapis.com/fcm/send/old")
    await db.execute("INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)",
                     citizen, old["endpoint"], old["keys"]["p256dh"], old["keys"]["auth"])
    answer = await client.post("/notifications/subscriptions/renew",
                               json=device_json(endpoint) | {"old_endpoint": old["endpoint"],
                                                             "old_auth": old["keys"]["auth"]})
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert await db.fetchval("SELECT array_agg(endpoint) FROM push_subscription") == [old["endpoint"]]


async def test_the_eleventh_device_replaces_the_oldest(client, db):
    citizen = await make_citizen(db, "Mange Testesen", "2201801234")
    other = await make_citizen(db, "Anden Mange", "2301801234")
    theirs = device_json("https://fcm.googleapis.com/fcm/send/theirs")
    await db.execute("INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)",
                     other, theirs["endpoint"], theirs["keys"]["p256dh"], theirs["keys"]["auth"])
    await login(client, citizen)
    ids = []
    for n in range(11):
        answer = await post_json(client, "/notifications/subscriptions",
                                 device_json(f"https://fcm.googleapis.com/fcm/send/phone-{n}"))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
        if n == 0:   # the first one opens the app again later: the same row, still the oldest
            again = await post_json(client, "/notifications/subscriptions",
                                    device_json("https://fcm.googleapis.com/fcm/send/phone-0"))
            assert again.json()["id"] == ids[0]
    endpoints = [row["endpoint"] for row in await db.fetch(
        "SELECT endpoint FROM push_subscription WHERE citizen_id = $1 ORDER BY id", citizen)]
    assert endpoints == [f"https://fcm.googleapis.com/fcm/send/phone-{n}" for n in range(1, 11)]
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE citizen_id = $1", other) == 1
    assert await db.fetchval("""SELECT (detail->'replaced')::text FROM audit_log
                                  WHERE action = 'push_subscribed' ORDER BY id DESC LIMIT 1""") == f"[{ids[0]}]"


async def test_subscribing_needs_the_csrf_token_and_a_login(client, db):
    body = device_json()
    signed_out = await client.post("/notifications/subscriptions", json=body, follow_redirects=False,
                                   headers={"x-csrftoken": await csrf_token(client)})
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    citizen = await make_citizen(db, "Csrf Testesen", "1501801234")
    await login(client, citizen)
    forged = await client.post("/notifications/subscriptions", json=body)
    assert forged.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


async def test_someone_elses_device_cannot_be_removed(client, db):
    mine = await make_citizen(db, "Min Testesen", "1601801234")
    other = await make_citizen(db, "Anden Testesen", "1701801234")
    body = device_json()
    foreign = await db.fetchval(
        """INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4) RETURNING id""",
        other, body["endpoint"], body["keys"]["p256dh"], body["keys"]["auth"])
    await login(client, mine)
    answer = await client.post(f"/notifications/subscriptions/{foreign}/delete",
                               data={"_csrf_token": await csrf_token(client)})
    assert answer.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE id = $1", foreign) == 1
    assert "Test phone" not in (await client.get("/notifications")).text


async def test_preferences_are_saved_per_type(client, db):
    citizen = await make_citizen(db, "Valg Testesen", "1801801234")
    await login(client, citizen)
    page = (await client.get("/notifications")).text
    assert page.count('type="checkbox"') == 11 and page.count(" checked") == 11  # all on by default
    saved = await client.post("/notifications/preferences", data={
        "_csrf_token": await csrf_token(client), "type-delivered": "1", "type-time_to_reorder": "1"},
        follow_redirects=False)
    assert saved.status_code == 303
    rows = dict(await db.fetch("SELECT type, enabled FROM push_preference WHERE citizen_id = $1", citizen))
    assert rows["delivered"] and rows["time_to_reorder"] and not rows["out_for_delivery"]
    assert sum(rows.values()) == 2 and len(rows) == 11
    assert (await client.get("/notifications")).text.count(" checked") == 2


async def test_the_service_worker_renews_with_the_old_auth_secret(client, db):
    citizen = await make_citizen(db, "Forny Testesen", "1901801234")
    old, new = (device_json("https://updates.push.services.mozilla.com/wpush/v2/old"),
                device_json("https://updates.push.services.mozilla.com/wpush/v2/new"))
    subscription = await db.fetchval(
        """INSERT INTO push_subscription (citizen_id, endpoint, p256dh, auth, language, label)
           VALUES ($1, $2, $3, $4, 'en', 'Pixel') RETURNING id""",
        citizen, old["endpoint"], old["keys"]["p256dh"], old["keys"]["auth"])
    # No session, no CSRF token (a service worker has neither); a wrong secret is refused.
    wrong = await client.post("/notifications/subscriptions/renew",
                              json=new | {"old_endpoint": old["endpoint"], "old_auth": b64url(b"z" * 16)})
    assert wrong.status_code == 404
    renewed = await client.post("/notifications/subscriptions/renew",
                                json=new | {"old_endpoint": old["endpoint"], "old_auth": old["keys"]["auth"]})
    assert renewed.status_code == 200, renewed.text
    row = await db.fetchrow("SELECT * FROM push_subscription WHERE id = $1", subscription)
    assert (row["endpoint"], row["auth"], row["language"], row["citizen_id"]) == (
        new["endpoint"], new["keys"]["auth"], "en", citizen)


async def test_the_service_worker_knows_the_public_key(client):
    source = (await client.get("/sw.js")).text
    assert f'const VAPID_PUBLIC_KEY = "{VAPID_PUBLIC}";' in source
    push = (await client.get(re.search(r'"(/static/sw/push\.js\?v=\w+)"', source).group(1))).text
    assert 'addEventListener("push"' in push and 'addEventListener("pushsubscriptionchange"' in push
