"""The citizen's push notice when a change request is answered: through the real job and sending
path to the local push service (payload decrypted), discreet on the lock screen, and not sent when
the citizen turned the switch off."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from backend.casework import service as casework
from backend.push.jobs import register
from backend.staff.models import StaffViewer
from backend.web.deps import local_today
from tests.integration.casework_helpers import AARHUS_CASEWORKER, karen_and_grant, open_request, other_product
from tests.push_fixtures import capturing_worker, job, push_settings, subscribe


@pytest.fixture
async def worker(db_url, service):
    async with capturing_worker(db_url, service, register) as capturing:
        yield capturing


async def decide(db, approve: bool) -> tuple[int, int, dict]:
    karen, grant = await karen_and_grant(db)
    wanted = await other_product(db, grant)
    request_id = await open_request(db, karen, grant, wanted)
    member = await db.fetchrow("SELECT id, authority_id FROM staff WHERE name = $1", AARHUS_CASEWORKER)
    staff = StaffViewer(b"x", member["id"], AARHUS_CASEWORKER, "caseworker", authority_id=member["authority_id"])
    if approve:
        await casework.approve(db, staff, request_id, local_today() + dt.timedelta(days=2), local_today())
    else:
        await casework.reject(db, staff, request_id, "Ikke nu")
    row = await db.fetchrow("SELECT payload FROM pgqueuer WHERE entrypoint = 'push_notify' AND dedupe_key = $1",
                            f"change_request:{request_id}:decided")
    product_name = await db.fetchval("SELECT name FROM product WHERE id = $1", wanted)
    return request_id, karen, {"payload": msgspec.json.decode(row["payload"]), "product": product_name}


async def test_an_answer_is_pushed_once_and_says_nothing_about_the_product(db, service, worker):
    karen, _grant = await karen_and_grant(db)
    device, _ = await subscribe(db, service, karen, "da")
    request_id, _karen, queued = await decide(db, approve=True)
    await worker.handlers["push_notify"](queued["payload"], job())
    await worker.handlers["push_notify"](queued["payload"], job())  # run again: nothing more
    [message] = service.messages_for(device)
    assert message.payload["type"] == "change_request_decided" and message.payload["url"] == "/change-requests"
    assert message.payload["tag"] == f"change-request-{request_id}"
    assert message.payload["title"] == "Du har fået svar"
    assert queued["product"] not in message.payload["body"] and service.errors == []


async def test_the_switch_off_means_no_notice(db, service, worker):
    karen, _grant = await karen_and_grant(db)
    device, _ = await subscribe(db, service, karen, "da")
    await db.execute("INSERT INTO push_preference (citizen_id, type, enabled) VALUES ($1, 'change_request_decided', false)",
                     karen)
    _request_id, _karen, queued = await decide(db, approve=False)
    await worker.handlers["push_notify"](queued["payload"], job())
    assert service.messages_for(device) == []


async def test_no_job_without_a_device(db):
    karen, _grant = await karen_and_grant(db)
    await db.execute("DELETE FROM push_subscription WHERE citizen_id = $1", karen)
    karen, grant = await karen_and_grant(db)
    request_id = await open_request(db, karen, grant, await other_product(db, grant))
    member = await db.fetchrow("SELECT id, authority_id FROM staff WHERE name = $1", AARHUS_CASEWORKER)
    staff = StaffViewer(b"x", member["id"], AARHUS_CASEWORKER, "caseworker", authority_id=member["authority_id"])
    await casework.reject(db, staff, request_id, "Ikke nu")
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE dedupe_key = $1",
                             f"change_request:{request_id}:decided") == 0
