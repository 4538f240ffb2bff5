"""A large fan-out through the real `fsc worker` and job queue, the worker killed (SIGKILL) mid-run.

Two notices for each of 600 citizens (720 devices, 2 % of them gone: 410) are queued
as a reminder run queues them (``enqueue_notices``: jobs of many notices). The worker is killed
while it sends, a new one started: every device still gets every notice, only what the killed
worker had sent but not recorded yet is sent again (bounded), the repeat carries the same Topic
and tag (the phone replaces the shown one), the record holds exactly one row per device and
notice, and every gone device is removed.
"""

from __future__ import annotations

import signal

from backend.push import PUSH_JOB, enqueue_notices
from backend.push.delivery import RECORD_EVERY
from backend.push.service import REMINDERS_PER_JOB
from tests.e2e.outage_stack import wait_until
from tests.push_fixtures import worker_process_for

CITIZENS = 600
EVENTS = (1, 2)            # two answers per citizen: two notices (keys, tags) for each of their devices
JOBS_IN_FLIGHT = 2         # FSC_WORKER_JOBS_IN_FLIGHT (its minimum)
CONCURRENCY = 16           # FSC_PUSH_CONCURRENCY
# What a killed worker may have sent without recording it: per job twice RECORD_EVERY, plus the
# sends in flight (delivery.Recorder).
MAY_REPEAT = JOBS_IN_FLIGHT * 2 * RECORD_EVERY + CONCURRENCY
WORKER_ENV = {"FSC_WORKER_HEARTBEAT_S": "2", "FSC_WORKER_JOBS_IN_FLIGHT": str(JOBS_IN_FLIGHT),
              "FSC_PUSH_CONCURRENCY": str(CONCURRENCY)}


async def citizens_with_devices(db, service) -> tuple[dict[int, list], dict[str, int]]:
    """600 citizens, every fifth with a second device, every 50th device gone (410 for good)."""
    citizens = [row["id"] for row in await db.fetch(
        """INSERT INTO citizen (cpr_hash, name, street, postcode, city, municipality_id, language)
           SELECT sha256(('fanout' || n)::bytea), 'Fan ' || n, 'Vej 1', '8000', 'Aarhus C',
                  (SELECT id FROM authority WHERE code = 751), 'da'
             FROM generate_series(1, $1) AS n RETURNING id""", CITIZENS)]
    devices: dict[int, list] = {}
    count = 0
    for index, citizen in enumerate(citizens):
        for _ in range(2 if index % 5 == 0 else 1):
            devices.setdefault(citizen, []).append(service.add_device([410] * 10 if count % 50 == 0 else None))
            count += 1
    rows = [(citizen, d.endpoint, d.p256dh, d.auth) for citizen, own in devices.items() for d in own]
    await db.copy_records_to_table("push_subscription", columns=["citizen_id", "endpoint", "p256dh", "auth"],
                                   records=rows)
    ids = {row["endpoint"]: row["id"] for row in await db.fetch("SELECT id, endpoint FROM push_subscription")}
    return devices, ids


async def queue_is_empty(db) -> bool:
    return not await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB)


async def test_a_worker_killed_mid_fan_out_leaves_one_notice_per_device_and_event(db, db_url, service):
    devices, subscription_ids = await citizens_with_devices(db, service)
    notices = [({"type": "change_request_decided", "citizen_id": citizen, "change_request_id": citizen * 10 + event},
                f"answer:{citizen}:{event}") for citizen in devices for event in EVENTS]
    async with db.transaction():
        await enqueue_notices(db, notices, REMINDERS_PER_JOB)
    assert await db.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", PUSH_JOB) == -(
        -len(notices) // REMINDERS_PER_JOB)
    working = [(citizen, d) for citizen, own in devices.items() for d in own if not d.statuses]
    gone = [d for own in devices.values() for d in own if d.statuses]
    expected = {(d.token, f"change-request-{citizen * 10 + event}") for citizen, d in working for event in EVENTS}

    with worker_process_for(db_url, service, **WORKER_ENV) as first:
        await wait_until(lambda: len(service.messages) >= len(expected) // 4, 60, "the first worker well under way")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    sent_by_first = len(service.messages)
    assert sent_by_first < len(expected), "killed before it had sent everything"
    assert not await queue_is_empty(db)

    with worker_process_for(db_url, service, **WORKER_ENV):
        await wait_until(lambda: queue_is_empty(db), 90, "the new worker has run every job, the killed one's too")

    assert service.errors == []   # every payload decrypted, every VAPID token good
    received = [(m.token, m.payload["tag"]) for m in service.messages]
    assert set(received) == expected
    repeats = len(received) - len(set(received))
    assert repeats <= MAY_REPEAT, f"{repeats} notices sent twice"
    # A repeat is the same notice under the same Topic and tag: the phone shows it once.
    assert all(m.topic == m.payload["tag"] for m in service.messages)
    by_notice: dict[tuple, set] = {}
    for m in service.messages:
        by_notice.setdefault((m.token, m.payload["tag"]), set()).add(tuple(sorted(m.payload.items())))
    assert all(len(payloads) == 1 for payloads in by_notice.values())

    recorded = await db.fetch("SELECT job_key, subscription_id FROM push_delivery WHERE job_key LIKE 'answer:%'")
    assert len(recorded) == len(expected)   # exactly one row per device and notice (the primary key)
    assert {(r["job_key"], r["subscription_id"]) for r in recorded} == {
        (f"answer:{citizen}:{event}", subscription_ids[d.endpoint]) for citizen, d in working for event in EVENTS}
    left = await db.fetchval("SELECT count(*) FROM push_subscription WHERE endpoint = ANY($1::text[])",
                             [d.endpoint for d in gone])
    assert left == 0 and gone
