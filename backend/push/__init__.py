"""Web Push notifications: parcel notices, reorder and grant reminders (see docs/decisions.md).

``notify_parcel_change`` is called where a parcel or order status changes; it queues a job in
the caller's transaction. The worker (backend/push/jobs.py) sends it to the citizen's devices.
A fan-out (a reminder run) is queued with ``enqueue_notices``: one job per batch of notices.
"""

from __future__ import annotations

import asyncpg
import msgspec

from backend.jobs import queries as job_queries
from backend.jobs import queued_on
from backend.push.notices import STATUS_NOTICES, NoticeType

PUSH_JOB = "push_notify"
# Statuses that can happen more than once for a parcel (a second delivery attempt).
_PER_ATTEMPT = ("out_for_delivery", "delivery_failed")


def subscribed_sql(citizen: str) -> str:
    """SQL that is true when a notice about ``citizen`` (an SQL expression for a citizen id) reaches a
    device: one of the citizen's own, or a helper's whose power includes notifications."""
    return f"""(EXISTS (SELECT 1 FROM push_subscription s WHERE s.citizen_id = {citizen})
                OR EXISTS (SELECT 1 FROM power_of_attorney pw JOIN push_subscription s ON s.person_id = pw.person_id
                            WHERE pw.citizen_id = {citizen} AND pw.revoked_at IS NULL
                              AND 'notifications' = ANY (pw.scopes)))"""


async def enqueue_notice(conn: asyncpg.Connection, payload: dict, key: str) -> None:
    """Queue a push job on ``conn`` (the caller's transaction); a job already waiting with the same key wins."""
    await job_queries(conn).enqueue(PUSH_JOB, msgspec.json.encode(payload | {"key": key}), dedupe_key=key,
                                    on_conflict="skip")
    queued_on(conn)


async def enqueue_notices(conn: asyncpg.Connection, notices: list[tuple[dict, str]], per_job: int) -> None:
    """Queue many notices ((payload, key) pairs) on ``conn`` as jobs of up to ``per_job`` notices each
    (a fan-out such as a reminder run): the worker sends a job's notices concurrently and records
    them in a few statements. Each notice still reaches a device once (push_delivery per key)."""
    jobs = [notices[start:start + per_job] for start in range(0, len(notices), per_job)]
    if not jobs:
        return
    payloads = [msgspec.json.encode({"key": f"batch:{job[0][1]}+{len(job) - 1}",
                                     "notices": [payload | {"key": key} for payload, key in job]}) for job in jobs]
    await job_queries(conn).enqueue([PUSH_JOB] * len(jobs), payloads, [0] * len(jobs))
    queued_on(conn)


async def notify_helper_order(conn: asyncpg.Connection, order_id: int, citizen_id: int) -> None:
    """Queue "a helper has ordered for you" for the citizen (their own devices; their switch decides)."""
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM push_subscription WHERE citizen_id = $1)", citizen_id):
        await enqueue_notice(conn, {"type": NoticeType.HELPER_ORDERED.value, "order_id": order_id},
                             f"helper-order:{order_id}")


async def notify_parcel_change(conn: asyncpg.Connection, order_id: int, parcel_no: int, status: str) -> None:
    """Queue the citizen's notification for a parcel status (or 'placed', 'item_backordered').

    The job key names the order, parcel, status and delivery attempt, so each notifies once per
    device however often the event arrives. Nothing is queued for citizens without a device."""
    notice = STATUS_NOTICES.get(status)
    if notice is None:
        return
    row = await conn.fetchrow(
        f"""SELECT coalesce((SELECT attempt FROM parcel WHERE order_id = $1 AND parcel_no = $2), 0) AS attempt,
                   coalesce((SELECT {subscribed_sql('o.citizen_id')} FROM order_ o WHERE o.id = $1), false)
                     AS subscribed""",
        order_id, parcel_no,
    )
    if not row["subscribed"]:
        return
    attempt = row["attempt"] if status in _PER_ATTEMPT else 0
    key = f"parcel:{order_id}:{parcel_no}:{status}:{attempt}"
    await enqueue_notice(conn, {"type": notice.value, "order_id": order_id, "parcel_no": parcel_no}, key)
