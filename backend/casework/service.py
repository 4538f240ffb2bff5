"""Asking for another product and deciding it: each in one transaction, audit-logged, with the
citizen's push notice queued in the same transaction as the decision."""

from __future__ import annotations

import datetime as dt

import asyncpg

from backend.audit import log_event
from backend.casework import queries as q
from backend.casework.models import NOTE_MAX, Refused
from backend.casework.rules import check_effective_date, check_request, due_on
from backend.push import enqueue_notice
from backend.push.notices import NoticeType
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event


class NotYours(Exception):
    """A caseworker reached for another authority's request or citizen (logged; answered 403)."""


async def ask(conn: asyncpg.Connection, *, citizen_id: int, grant_id: int | None, product_id: int | None,
              reason: str, note: str, actor: tuple[str, int], today: dt.date) -> int:
    """Record a change request (``actor``: who asked, as ``viewer.actor`` or ("staff", id)); returns its id.
    Raises ``Refused`` (nothing written) when it breaks a rule."""
    note = note.strip()
    grant = await q.select_grant_for_change(conn, citizen_id, grant_id) if grant_id else None
    wanted = await q.select_product(conn, product_id) if product_id else None
    check_request(grant, wanted, reason, note, today)
    try:
        async with conn.transaction():
            request_id = await q.insert_change_request(
                conn, citizen_id=citizen_id, grant_id=grant["id"], current_product_id=grant["product_id"],
                wanted_product_id=wanted["id"], payer_id=grant["payer_id"], reason=reason, note=note, actor=actor,
                due=due_on(today, grant["target_days"]))
            await log_event(conn, actor_kind=actor[0], actor_id=actor[1], citizen_id=citizen_id,
                            action="change_request_created",
                            detail={"change_request_id": request_id, "grant_id": grant["id"],
                                    "product_id": wanted["id"], "reason": reason})
    except asyncpg.UniqueViolationError:
        raise Refused("already_open") from None
    return request_id


async def refuse_foreign(conn: asyncpg.Connection, staff: StaffViewer, *, view: str, citizen_id: int | None,
                         **detail: object) -> None:
    """Log a caseworker's reach for another authority's data, then refuse it."""
    await log_staff_event(conn, staff.staff_id, "caseworker_refused", citizen_id=citizen_id,
                          detail={"view": view, "authority_id": staff.authority_id, **detail})
    raise NotYours()


async def request_for(conn: asyncpg.Connection, staff: StaffViewer, request_id: int, *,
                      view: str) -> asyncpg.Record | None:
    """The request if the caseworker's authority pays its grant (None: unknown; ``NotYours``: another's,
    logged). Call it outside a transaction that the refusal would roll back."""
    row = await q.select_request(conn, request_id)
    if row is not None and row["payer_id"] != staff.authority_id:
        await refuse_foreign(conn, staff, view=view, citizen_id=row["citizen_id"], change_request_id=request_id)
    return row


async def _notify(conn: asyncpg.Connection, row: asyncpg.Record) -> None:
    if await q.has_push_device(conn, row["citizen_id"]):
        await enqueue_notice(conn, {"type": NoticeType.CHANGE_REQUEST_DECIDED.value, "citizen_id": row["citizen_id"],
                                    "change_request_id": row["id"]}, f"change_request:{row['id']}:decided")


async def approve(conn: asyncpg.Connection, staff: StaffViewer, request_id: int, effective: dt.date,
                  today: dt.date) -> asyncpg.Record | None:
    """Approve: the old grant ends the day before ``effective`` and the new product's grant starts on it
    (same quantity, period, payer and end), ordered-ahead supply moves along; all or nothing."""
    if await request_for(conn, staff, request_id, view="approve") is None:  # a refusal is logged outside the transaction
        return None
    async with conn.transaction():
        row = await q.select_request(conn, request_id, lock=True)
        if row["status"] != "open":
            raise Refused("already_decided")
        grant = await conn.fetchrow("SELECT valid_from, valid_to, period_days FROM grant_ WHERE id = $1 FOR UPDATE",
                                    row["grant_id"])
        check_effective_date(effective, today, grant["valid_from"], grant["valid_to"])
        new_grant_id = await q.insert_follow_on_grant(conn, row["grant_id"], row["wanted_product_id"], effective,
                                                      grant["valid_to"])
        await q.end_grant(conn, row["grant_id"], effective - dt.timedelta(days=1))
        moved = await q.move_allocations(conn, row["grant_id"], new_grant_id, effective, grant["period_days"])
        await q.approve(conn, request_id, staff.staff_id, effective, new_grant_id)
        await log_staff_event(conn, staff.staff_id, "change_request_approved", citizen_id=row["citizen_id"],
                              detail={"change_request_id": request_id, "grant_id": row["grant_id"],
                                      "new_grant_id": new_grant_id, "effective_from": effective.isoformat(),
                                      "allocations_moved": moved})
        await _notify(conn, row)
    return row


async def reject(conn: asyncpg.Connection, staff: StaffViewer, request_id: int, note: str) -> asyncpg.Record | None:
    """Reject with the caseworker's reason (shown to the citizen)."""
    if await request_for(conn, staff, request_id, view="reject") is None:
        return None
    note = note.strip()
    async with conn.transaction():
        row = await q.select_request(conn, request_id, lock=True)
        if row["status"] != "open":
            raise Refused("already_decided")
        if not note:
            raise Refused("no_rejection_reason")
        if len(note) > NOTE_MAX:
            raise Refused("rejection_too_long")
        await q.reject(conn, request_id, staff.staff_id, note)
        await log_staff_event(conn, staff.staff_id, "change_request_rejected", citizen_id=row["citizen_id"],
                              detail={"change_request_id": request_id})
        await _notify(conn, row)
    return row
