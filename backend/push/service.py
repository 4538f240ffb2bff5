"""Sending one notice to a citizen's devices, exactly once per device, and planning reminders."""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg
import msgspec

from backend.grants import availability
from backend.grants.rules import GrantTerms
from backend.push import enqueue_notice, queries
from backend.push.notices import HELPER_NOTICES, NoticeType, build, delivery, preference
from backend.push.rules import COPENHAGEN, REORDER, GrantSupply, Reminder, due_reminders
from backend.push.sender import Outcome, PushSender, Result

log = logging.getLogger("fsc.push")

REMINDER_LOOKBACK_DAYS = 400
HELPER_URL = "/fuldmagt/vaelg"


class Summary(msgspec.Struct):
    """What one run of a notice did; ``retry_after_s`` is set when some devices must be tried again.
    On the last try, the devices still failing are given up (``given_up``) and removed
    (``given_up_removed``) unless a notice reached them since this one was queued."""

    sent: int = 0
    removed: int = 0
    failed: int = 0
    retry: int = 0
    retry_after_s: float | None = None
    given_up: int = 0
    given_up_removed: int = 0


class Notice(msgspec.Struct, frozen=True):
    """Who gets a notice, where tapping it leads, its tag (Topic), and the values in its text."""

    citizen_id: int
    url: str
    tag: str
    values: dict[str, object] = {}


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


class LastTry(msgspec.Struct, frozen=True):
    """This run is the notice's last try (FSC_PUSH_MAX_ATTEMPTS); it was queued at ``queued_at``."""

    queued_at: dt.datetime


async def record(pool: asyncpg.Pool, key: str, results: list[Result], last_try: LastTry | None = None) -> Summary:
    """Remember who got it (so a retry skips them) and forget devices that are gone. On the last
    try, the devices still failing (busy or blocked) are given up and removed, except those a
    notice reached since this one was queued (they work; only this notice is lost)."""
    summary = Summary()
    sent = [r.target.id for r in results if r.outcome is Outcome.SENT]
    gone = [r.target.id for r in results if r.outcome is Outcome.GONE]
    retry = [r for r in results if r.outcome in (Outcome.RETRY, Outcome.BLOCKED)]
    async with pool.acquire() as conn, conn.transaction():
        await queries.record_deliveries(conn, key, sent)
        summary.removed = await queries.delete_subscriptions(conn, gone)
        if last_try is not None and retry:
            summary.given_up = len(retry)
            summary.given_up_removed = await queries.delete_failing_subscriptions(
                conn, [r.target.id for r in retry], last_try.queued_at)
            retry = []
    summary.sent = len(sent)
    summary.retry = len(retry)
    summary.failed = sum(1 for r in results if r.outcome is Outcome.FAILED)
    waits = [r.retry_after_s for r in retry if r.retry_after_s is not None]
    summary.retry_after_s = max(waits) if waits else (0.0 if retry else None)
    return summary


async def send_notice(pool: asyncpg.Pool, sender: PushSender, payload: dict,
                      last_try: LastTry | None = None) -> Summary:
    """Send the notice in ``payload`` ({"type", "key", …}) to every device of the citizen that wants
    it and has not had it yet (push_delivery), each in the device's language."""
    notice = NoticeType(payload["type"])
    async with pool.acquire() as conn:
        target = await resolve(conn, notice, payload)
    if target is None:
        return Summary()
    return await deliver(pool, sender, notice, payload["key"], target, last_try)


async def deliver(pool: asyncpg.Pool, sender: PushSender, notice: NoticeType, key: str, target: Notice,
                  last_try: LastTry | None = None) -> Summary:
    """Send ``notice`` to every device of ``target.citizen_id`` that wants it (its preference switch)
    and has not had ``key`` yet (push_delivery), each in the device's language; record who got it.
    Other areas' jobs (callbacks) call this with a notice they resolved themselves."""
    async with pool.acquire() as conn:
        devices = await queries.select_targets(conn, target.citizen_id, preference(notice).value, key,
                                               helpers=notice in HELPER_NOTICES)
    if not devices:
        return Summary()
    # A helper's phone is told whose parcel it is; tapping it leads to "whom do you act for".
    bodies = {(language, about): build(notice, language, url=HELPER_URL if about else target.url, tag=target.tag,
                                       values=target.values, about=about)
              for language, about in {(language, about) for _device, language, about in devices}}
    ttl, urgency = delivery(notice)
    results = await sender.send_many([(device, bodies[language, about]) for device, language, about in devices],
                                     ttl=ttl, urgency=urgency, topic=target.tag)
    return await record(pool, key, results, last_try)


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
    same transaction as its job, so it is queued once per period whatever runs in parallel."""
    today = now.astimezone(COPENHAGEN).date()
    rows = await queries.select_reminder_candidates(conn, today, today - dt.timedelta(days=REMINDER_LOOKBACK_DAYS))
    queued = 0
    async with conn.transaction():
        for reminder in await reorder_possible(conn, due_reminders(supplies_from(rows), now), today):
            if await queries.claim_reminder(conn, reminder.citizen_id, reminder.grant_id, reminder.kind,
                                            reminder.period_start):
                payload, key = reminder_job(reminder)
                await enqueue_notice(conn, payload, key)
                queued += 1
    return queued
