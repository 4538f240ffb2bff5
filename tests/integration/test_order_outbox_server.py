"""What the service worker's order outbox needs from the server: a refused order says so (and
why) in a header it can read."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import unquote

from backend.seed.demo import MAIN_DEMO_CPR
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
