"""Reads for the citizen's log and data download: every statement is bounded by the citizen's id
and served by an index on it (tests/integration/test_query_plans.py)."""

from __future__ import annotations

import datetime as dt

import asyncpg

# The citizen's rows first (audit_log_citizen_idx walks them newest first, so a page stops after
# its rows), then who: a helper (person) or a staff member, by the kind the audit row names. Only
# three keys of the detail JSON are read; the rest (notes, other ids) never leaves the database.
_LOG = """
SELECT a.id, a.at, a.actor_kind, a.action, a.reason, a.order_id, a.callback_id,
       coalesce(st.name, p.name) AS actor_name, st.role AS staff_role
  FROM (SELECT id, at, actor_kind, actor_id, action, detail->>'reason' AS reason,
               detail->>'order_id' AS order_id, detail->>'callback_id' AS callback_id
          FROM audit_log
         WHERE citizen_id = $1 AND actor_kind IN ('relative', 'staff')
         ORDER BY at DESC, id DESC
         {page}) a
  LEFT JOIN staff st ON a.actor_kind = 'staff' AND st.id = a.actor_id
  LEFT JOIN person p ON a.actor_kind = 'relative' AND p.id = a.actor_id
 ORDER BY a.at DESC, a.id DESC
"""
_LOG_PAGE = _LOG.format(page="LIMIT $2 OFFSET $3")
_LOG_ALL = _LOG.format(page="")


async def select_log_page(conn: asyncpg.Connection, citizen_id: int, limit: int, offset: int) -> list[asyncpg.Record]:
    """What helpers and staff did with or saw of the citizen's data, newest first."""
    return await conn.fetch(_LOG_PAGE, citizen_id, limit, offset)


async def select_log(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(_LOG_ALL, citizen_id)


async def select_profile(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    """The profile without the CPR hash (the number is never stored; its code is not the citizen's business)."""
    return await conn.fetchrow(
        """SELECT c.name, c.street, c.postcode, c.city, a.name AS municipality, c.phone, c.language,
                  c.stoma_since, c.created_at
             FROM citizen c JOIN authority a ON a.id = c.municipality_id
            WHERE c.id = $1""", citizen_id)


async def select_grants(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT g.id, p.name AS product, m.name AS manufacturer, p.item_no, p.unit, g.quantity_per_period,
                  g.period_days, g.valid_from, g.valid_to, a.name AS payer
             FROM grant_ g
             JOIN product p ON p.id = g.product_id
             JOIN manufacturer m ON m.id = p.manufacturer_id
             JOIN authority a ON a.id = g.payer_id
            WHERE g.citizen_id = $1
            ORDER BY g.valid_from DESC, g.id""", citizen_id)


async def select_orders(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT o.id, o.status, o.placed_at, o.placed_by_kind, coalesce(st.name, p.name) AS placed_by_name,
                  st.role AS placed_by_role, o.delivery_method, o.recipient_name, o.street, o.postcode, o.city,
                  pp.name AS pickup_point, o.leave_at_door, o.driver_note, o.expected_delivery,
                  o.handed_off_at, o.cancel_requested_at, o.cancel_state, o.cancel_decided_at, o.cancelled_at
             FROM order_ o
             LEFT JOIN staff st ON o.placed_by_kind = 'staff' AND st.id = o.placed_by_id
             LEFT JOIN person p ON o.placed_by_kind = 'relative' AND p.id = o.placed_by_id
             LEFT JOIN pickup_point pp ON pp.id = o.pickup_point_id
            WHERE o.citizen_id = $1
            ORDER BY o.placed_at DESC, o.id DESC""", citizen_id)


async def select_order_lines(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT l.order_id, p.name AS product, m.name AS manufacturer, p.item_no, l.packs, l.pieces, p.unit
             FROM order_ o
             JOIN order_line l ON l.order_id = o.id
             JOIN product p ON p.id = l.product_id
             JOIN manufacturer m ON m.id = p.manufacturer_id
            WHERE o.citizen_id = $1
            ORDER BY l.order_id, p.name""", citizen_id)


async def select_parcels(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT pa.order_id, pa.parcel_no, pa.status, pa.carrier, pa.tracking_no, pa.tracking_url, pa.updated_at
             FROM order_ o JOIN parcel pa ON pa.order_id = o.id
            WHERE o.citizen_id = $1
            ORDER BY pa.order_id, pa.parcel_no""", citizen_id)


async def select_tracking_events(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """The warehouse's and carrier's events (type and time; the partner's raw body stays here)."""
    return await conn.fetch(
        """SELECT e.order_id, e.parcel_no, e.type, e.occurred_at
             FROM order_ o JOIN warehouse_event e ON e.order_id = o.id
            WHERE o.citizen_id = $1
            ORDER BY e.order_id, e.occurred_at, e.received_at""", citizen_id)


async def select_callbacks(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """Calls with the summary written for the citizen; never ``outcome_note`` (FSC's internal note)."""
    return await conn.fetch(
        """SELECT cb.id, cb.slot_start, cb.topic, cb.phone, cb.note, cb.status, cb.outcome, cb.citizen_summary,
                  cb.created_at, cb.updated_at, split_part(st.name, ' ', 1) AS advisor_first_name
             FROM callback cb LEFT JOIN staff st ON st.id = cb.claimed_by
            WHERE cb.citizen_id = $1
            ORDER BY cb.slot_start DESC, cb.id DESC""", citizen_id)


async def select_delivery_preference(conn: asyncpg.Connection, citizen_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT d.method, pp.name AS pickup_point, d.leave_at_door_allowed, d.driver_note, d.updated_at
             FROM delivery_preference d LEFT JOIN pickup_point pp ON pp.id = d.pickup_point_id
            WHERE d.citizen_id = $1""", citizen_id)


async def select_temporary_addresses(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """All of them, past ones too (the delivery page shows only current and future ones)."""
    return await conn.fetch(
        """SELECT street, postcode, city, valid_from, valid_to, created_at FROM temporary_address
            WHERE citizen_id = $1 ORDER BY valid_from, id""", citizen_id)


async def select_devices(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """Devices by label and date; the push endpoint and keys are secrets of the device, not data about the citizen."""
    return await conn.fetch(
        """SELECT label, language, created_at, last_success_at FROM push_subscription
            WHERE citizen_id = $1 ORDER BY created_at, id""", citizen_id)


async def select_notification_choices(conn: asyncpg.Connection, citizen_id: int) -> dict[str, bool]:
    rows = await conn.fetch("SELECT type, enabled FROM push_preference WHERE citizen_id = $1", citizen_id)
    return {row["type"]: row["enabled"] for row in rows}


async def select_powers(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    """Every power of attorney the citizen gave, ended ones too; the helper by name only (never their CPR hash)."""
    return await conn.fetch(
        """SELECT p.name, pw.scopes, pw.source, pw.document_ref, pw.valid_to, pw.created_at, pw.revoked_at,
                  pw.last_used_at
             FROM power_of_attorney pw JOIN person p ON p.id = pw.person_id
            WHERE pw.citizen_id = $1
            ORDER BY pw.created_at DESC, pw.id DESC""", citizen_id)


async def select_open_invitations(conn: asyncpg.Connection, citizen_id: int, now: dt.datetime) -> list[asyncpg.Record]:
    """Invitations not yet accepted, withdrawn or expired; never the hashes of their link and code."""
    return await conn.fetch(
        """SELECT helper_name, scopes, created_at, expires_at FROM power_invitation
            WHERE citizen_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
            ORDER BY created_at, id""", citizen_id, now)


async def select_change_requests(conn: asyncpg.Connection, citizen_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT cur.name AS current_product, want.name AS wanted_product, want.item_no AS wanted_item_no,
                  r.reason, r.note, r.status, r.decision_note, r.created_at, r.due_on, r.decided_at,
                  r.effective_from, a.name AS payer
             FROM change_request r
             JOIN product cur ON cur.id = r.current_product_id
             JOIN product want ON want.id = r.wanted_product_id
             JOIN authority a ON a.id = r.payer_id
            WHERE r.citizen_id = $1
            ORDER BY r.created_at DESC, r.id DESC""", citizen_id)
