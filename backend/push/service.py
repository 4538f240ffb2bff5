"""Resolving the notices of a job (whom, where a tap leads) and sending them; planning reminders."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.grants import availability
from backend.grants.rules import GrantTerms
from backend.push import enqueue_notices, queries
from backend.push.delivery import Addressed, LastTry, Notice, Summary, deliver
from backend.push.notices import NoticeType
from backend.push.rules import COPENHAGEN, REORDER, GrantSupply, Reminder, due_reminders
from backend.push.sender import PushSender

REMINDER_LOOKBACK_DAYS = 400
REMINDERS_PER_JOB = 250
"""A reminder run is queued as jobs of this many notices: sent concurrently and recorded in one
statement per ``delivery.RECORD_EVERY``, not one job (and its queue round trips) per citizen."""


async def resolve(conn: asyncpg.Connection, notice: NoticeType, payload: dict) -> Notice | None:
    """Who gets the notice and where tapping it leads; None when its subject no longer exists."""
    if notice is NoticeType.HELPER_ORDERED:
        order = await queries.select_helper_order_notice(conn, payload["order_id"])
        if order is None:
            return None
        return Notice(order["citizen_id"], f"/orders/{order['id']}", f"helper-order-{order['id']}",
                      {"order": str(order["id"]), "helper": order["helper_name"]})
    if "order_id" in payload:
        order = await queries.select_order_notice(conn, payload["order_id"])
        if order is None:
            return None
        order_id, parcel_no = order["id"], payload.get("parcel_no", 1)
        return Notice(order["citizen_id"], f"/orders/{order_id}", f"parcel-{order_id}-{parcel_no}",
                      {"order": str(order_id)})
    if notice is NoticeType.TIME_TO_REORDER:
        return Notice(payload["citizen_id"], "/?source=reminder#reorder-heading", "reorder")
    if notice is NoticeType.GRANT_EXPIRING:
        return Notice(payload["citizen_id"], "/", f"grant-{payload['grant_id']}",
                      {"date": dt.date.fromisoformat(payload["date"])})
    if notice is NoticeType.CHANGE_REQUEST_DECIDED:
        return Notice(payload["citizen_id"], "/change-requests", f"change-request-{payload['change_request_id']}")
    raise ValueError(f"cannot address a {notice.value} notice with {sorted(payload)}")


async def send_notices(pool: asyncpg.Pool, sender: PushSender, payloads: list[dict],
                       last_try: LastTry | None = None) -> Summary:
    """Send the notices in ``payloads`` ({"type", "key", …} each) to every device of their citizens
    that wants them and has not had them yet (push_delivery), each in the device's language."""
    notices = []
    async with pool.acquire() as conn:
        for payload in payloads:
            notice = NoticeType(payload["type"])
            target = await resolve(conn, notice, payload)
            if target is not None:  # its subject no longer exists
                notices.append(Addressed(notice, payload["key"], target))
    return await deliver(pool, sender, notices, last_try) if notices else Summary()


def supplies_from(rows: list[asyncpg.Record]) -> list[GrantSupply]:
    return [GrantSupply(
        citizen_id=row["citizen_id"], grant_id=row["grant_id"],
        terms=GrantTerms(row["quantity_per_period"], row["period_days"], row["valid_from"], row["valid_to"]),
        deliveries=tuple(zip(row["days"], row["pieces"])), sent=frozenset(row["sent"]),
    ) for row in rows]


def reminder_job(reminder: Reminder) -> tuple[dict, str]:
    payload: dict = {"type": reminder.kind, "citizen_id": reminder.citizen_id, "grant_id": reminder.grant_id}
    if reminder.date is not None:
        payload["date"] = reminder.date.isoformat()
    return payload, f"reminder:{reminder.kind}:{reminder.grant_id}:{reminder.period_start.isoformat()}"


async def reorder_possible(conn: asyncpg.Connection, reminders: list[Reminder], today: dt.date) -> list[Reminder]:
    """Drop the "time to order again" reminders whose grant the one tap would not order now (the
    municipality not live yet, or what the grant allows already ordered): the notice promises an
    order with one tap, so it asks the rule the tap obeys (grants.availability). Such a reminder is
    not claimed, so it comes once that changes (a new period, a cancelled order)."""
    tap: dict[int, set[int]] = {}
    for citizen_id in {r.citizen_id for r in reminders if r.kind == REORDER}:
        _citizen, available = await availability.load(conn, citizen_id, today)
        tap[citizen_id] = {grant.grant.id for grant in available.one_tap()} if available else set()
    return [r for r in reminders if r.kind != REORDER or r.grant_id in tap[r.citizen_id]]


async def plan_reminders(conn: asyncpg.Connection, now: dt.datetime) -> int:
    """Queue every reminder due now (none in quiet hours); each is claimed in reminder_sent in the
    same transaction as its job, so it is queued once per period whatever runs in parallel. The
    reminders go out in jobs of ``REMINDERS_PER_JOB`` (a whole product area's run is one fan-out)."""
    today = now.astimezone(COPENHAGEN).date()
    rows = await queries.select_reminder_candidates(conn, today, today - dt.timedelta(days=REMINDER_LOOKBACK_DAYS))
    claimed: list[tuple[dict, str]] = []
    async with conn.transaction():
        for reminder in await reorder_possible(conn, due_reminders(supplies_from(rows), now), today):
            if await queries.claim_reminder(conn, reminder.citizen_id, reminder.grant_id, reminder.kind,
                                            reminder.period_start):
                claimed.append(reminder_job(reminder))
        await enqueue_notices(conn, claimed, REMINDERS_PER_JOB)
    return len(claimed)
