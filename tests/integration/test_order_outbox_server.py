"""What the service worker's order outbox needs from the server: a refused order says so (and
why) in a header it can read; /sw.js imports its parts by content-hashed URLs; pages name the
signed-in person (opaquely) and their CSRF token for the worker, the stored offline pages never."""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from urllib.parse import unquote

from backend.seed.demo import MAIN_DEMO_CPR
from backend.web.pwa import SERVICE_WORKER_PARTS
from backend.web.templating import STATIC_DIR
from tests.conftest import citizen_id_by_cpr, csrf_token, login

REFUSAL = "x-order-refused"


async def post_order(client, path: str, **fields: str):
    data = {"idempotency_key": str(uuid.uuid4()), "_csrf_token": await csrf_token(client)} | fields
    return await client.post(path, data=data, follow_redirects=False)


async def test_a_refused_order_carries_its_translated_reason_and_an_accepted_one_does_not(client, db):
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    grant = await db.fetchval("SELECT min(id) FROM grant_ WHERE citizen_id = $1", citizen)
    orders = await db.fetchval("SELECT count(*) FROM order_")

    # The custom order: too many packs. 422, the form page with the reason, and the header.
    too_many = await post_order(client, "/orders/", **{f"packs-{grant}": "9999"})
    assert too_many.status_code == 422
    assert too_many.headers[REFUSAL].isascii()
    reason = unquote(too_many.headers[REFUSAL])
    assert reason and html.escape(reason, quote=False) in too_many.text

    # One tap until nothing is left: each accepted one is a 303 to the receipt without the header,
    # the refused one has the reason (Danish, percent-encoded UTF-8).
    for _attempt in range(10):
        response = await post_order(client, "/orders/reorder")
        if response.status_code != 303:
            break
        assert re.fullmatch(r"/orders/\d+", response.headers["location"]) and REFUSAL not in response.headers
    assert response.status_code == 422
    reason = unquote(response.headers[REFUSAL])
    assert reason and html.escape(reason, quote=False) in response.text
    placed = await db.fetchval("SELECT count(*) FROM order_")
    assert placed > orders
    # A refusal writes nothing.
    assert (await post_order(client, "/orders/reorder")).status_code == 422
    assert await db.fetchval("SELECT count(*) FROM order_") == placed

    # A form without its key is refused too (400), with a reason.
    no_key = await client.post("/orders/reorder", data={"_csrf_token": await csrf_token(client)},
                               follow_redirects=False)
    assert no_key.status_code == 400
    assert unquote(no_key.headers[REFUSAL]) == "Bestillingsformularen er ufuldstændig. Genindlæs siden, og prøv igen."


async def test_the_service_worker_imports_its_parts_by_content_hashed_urls(client):
    sw = await client.get("/sw.js")
    assert sw.headers["service-worker-allowed"] == "/" and "no-cache" in sw.headers["cache-control"]
    source = sw.text
    assert not re.search(r"__[A-Z_]+__", source)
    parts = json.loads(re.search(r"importScripts\(\.\.\.(\[.*?\])\);", source).group(1))
    assert [url.split("?")[0] for url in parts] == [f"/static/{path}" for path in SERVICE_WORKER_PARTS]
    for url, path in zip(parts, SERVICE_WORKER_PARTS):
        # The hash in the URL is the file's: a changed part changes /sw.js, so the browser updates.
        assert url.endswith("?v=" + hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10])
        part = await client.get(url)
        assert part.status_code == 200 and part.headers["content-type"].startswith("text/javascript")
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', source).group(1)
    assert version
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1))
    assert {"/offline", "/offline/queued", "/offline/queued/busy"} <= set(shell)


async def test_pages_name_the_person_for_the_outbox_and_stored_pages_name_nobody(client, db):
    signed_out = (await client.get("/login")).text
    assert 'data-outbox data-owner="" data-csrf="' in signed_out
    citizen = await citizen_id_by_cpr(db, MAIN_DEMO_CPR)
    await login(client, citizen)
    home = (await client.get("/")).text
    owner = re.search(r'data-outbox data-owner="([0-9a-f]{16})" data-csrf="([^"]+)"', home)
    assert owner and owner.group(2) == await csrf_token(client)
    assert str(citizen) not in owner.group(1)
    for url in ("/offline", "/offline/queued", "/offline/queued/busy"):
        page = (await client.get(url)).text
        assert re.search(r"data-outbox\s*>", page), url
        assert "data-owner" not in page and "data-csrf" not in page, url
    busy = (await client.get("/offline/queued/busy")).text
    assert "Fælles Bestilling kan ikke tage imod din bestilling lige nu" in busy
