"""Build "Download all your data" from the citizen's rows (one query per table, no query per order)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
import asyncpg
import msgspec

from backend.callbacks.labels import outcome_label, topic_label
from backend.callbacks.labels import status_label as callback_status_label
from backend.casework.models import reason_label
from backend.casework.models import status_label as request_status_label
from backend.catalog.labels import N_, unit_label
from backend.i18n import gettext as _
from backend.orders.status import status_label
from backend.parcels.tracking import event_label
from backend.powers.rules import scope_labels
from backend.powers.staff_view import source_labels
from backend.push.notices import PREFERENCE_TYPES
from backend.push.notices import label as notice_label
from backend.transparency import export_models as m
from backend.transparency import queries as q
from backend.transparency.labels import actor_label, log_entry

HANDED_TO_WAREHOUSE = N_("Sent to the warehouse")
CANCEL_REQUESTED = N_("Asked to cancel")
CANCEL_REFUSED = N_("Too late to cancel: the order was sent as usual")

encoder = msgspec.json.Encoder()


def placed_by(row: asyncpg.Record) -> m.Actor:
    kind = row["placed_by_kind"]
    if kind in ("relative", "staff"):
        name, role = actor_label(kind, row["placed_by_name"], row["placed_by_role"])
        return m.Actor(kind=kind, name=name, role=role)
    return m.Actor(kind=kind)


def order_history(row: asyncpg.Record) -> list[m.OrderEvent]:
    events = [m.OrderEvent(event="placed", description=status_label("placed"), at=row["placed_at"])]
    if row["handed_off_at"] is not None:
        events.append(m.OrderEvent(event="handed_to_warehouse", description=_(HANDED_TO_WAREHOUSE),
                                   at=row["handed_off_at"]))
    if row["cancel_requested_at"] is not None:
        events.append(m.OrderEvent(event="cancel_requested", description=_(CANCEL_REQUESTED),
                                   at=row["cancel_requested_at"]))
    if row["cancel_state"] == "refused" and row["cancel_decided_at"] is not None:
        events.append(m.OrderEvent(event="cancel_refused", description=_(CANCEL_REFUSED), at=row["cancel_decided_at"]))
    if row["cancelled_at"] is not None:
        events.append(m.OrderEvent(event="cancelled", description=status_label("cancelled"), at=row["cancelled_at"]))
    return sorted(events, key=lambda event: event.at)


async def orders(conn: asyncpg.Connection, citizen_id: int) -> list[m.Order]:
    lines: dict[int, list[m.OrderLine]] = defaultdict(list)
    for r in await q.select_order_lines(conn, citizen_id):
        lines[r["order_id"]].append(m.OrderLine(product=r["product"], manufacturer=r["manufacturer"],
                                                item_no=r["item_no"], packs=r["packs"], pieces=r["pieces"]))
    events: dict[tuple[int, int], list[m.TrackingEvent]] = defaultdict(list)
    for r in await q.select_tracking_events(conn, citizen_id):
        events[(r["order_id"], r["parcel_no"])].append(
            m.TrackingEvent(type=r["type"], description=event_label(r["type"]), occurred_at=r["occurred_at"]))
    parcels: dict[int, list[m.Parcel]] = defaultdict(list)
    for r in await q.select_parcels(conn, citizen_id):
        parcels[r["order_id"]].append(m.Parcel(
            parcel_no=r["parcel_no"], status=r["status"], status_label=status_label(r["status"]), carrier=r["carrier"],
            tracking_no=r["tracking_no"], tracking_url=r["tracking_url"], updated_at=r["updated_at"],
            events=events.get((r["order_id"], r["parcel_no"]), [])))
    return [m.Order(
        id=r["id"], placed_at=r["placed_at"], placed_by=placed_by(r), status=r["status"],
        status_label=status_label(r["status"]),
        delivery=m.Delivery(method=r["delivery_method"], recipient_name=r["recipient_name"], street=r["street"],
                            postcode=r["postcode"], city=r["city"], pickup_point=r["pickup_point"],
                            leave_at_door=r["leave_at_door"], driver_note=r["driver_note"],
                            expected=r["expected_delivery"]),
        lines=lines.get(r["id"], []), history=order_history(r), parcels=parcels.get(r["id"], []),
    ) for r in await q.select_orders(conn, citizen_id)]


def callback(r: asyncpg.Record) -> m.Callback:
    return m.Callback(
        id=r["id"], time=r["slot_start"], topic=r["topic"], topic_label=topic_label(r["topic"]), phone=r["phone"],
        your_note=r["note"], status=r["status"], status_label=callback_status_label(r["status"]),
        outcome_label=outcome_label(r["outcome"]) if r["outcome"] else None,
        summary_for_you=r["citizen_summary"] or None,
        advisor_first_name=r["advisor_first_name"] if r["citizen_summary"] else None,
        booked_at=r["created_at"], updated_at=r["updated_at"])


async def helpers(conn: asyncpg.Connection, citizen_id: int, now: dt.datetime) -> m.Helpers:
    scopes, sources = scope_labels(), source_labels()
    return m.Helpers(
        powers=[m.Power(helper_name=r["name"], scopes=list(r["scopes"]), scope_labels=[scopes[s] for s in r["scopes"]],
                        source=r["source"], source_label=sources[r["source"]], document_ref=r["document_ref"],
                        valid_to=r["valid_to"], created_at=r["created_at"], revoked_at=r["revoked_at"],
                        last_used_at=r["last_used_at"]) for r in await q.select_powers(conn, citizen_id)],
        open_invitations=[m.Invitation(helper_name=r["helper_name"], scopes=list(r["scopes"]),
                                       scope_labels=[scopes[s] for s in r["scopes"]], created_at=r["created_at"],
                                       expires_at=r["expires_at"])
                          for r in await q.select_open_invitations(conn, citizen_id, now)])


def change_request(r: asyncpg.Record) -> m.ChangeRequest:
    return m.ChangeRequest(
        current_product=r["current_product"], wanted_product=r["wanted_product"], wanted_item_no=r["wanted_item_no"],
        payer=r["payer"], reason=r["reason"], reason_label=reason_label(r["reason"]), your_note=r["note"],
        status=r["status"], status_label=request_status_label(r["status"]), decision_note=r["decision_note"],
        asked_at=r["created_at"], due_on=r["due_on"], decided_at=r["decided_at"], effective_from=r["effective_from"])


def log(rows: list[asyncpg.Record]) -> list[m.LogEntry]:
    entries = [log_entry(r) for r in rows]
    return [m.LogEntry(at=e["at"], who=e["who"], role=e["role"], what=e["what"], reason=e["reason"],
                       order_id=e["order_id"], callback_id=e["callback_id"]) for e in entries]


async def build_export(conn: asyncpg.Connection, citizen_id: int, language: str, now: dt.datetime) -> m.DataExport:
    profile = await q.select_profile(conn, citizen_id)
    if profile is None:
        raise LookupError(citizen_id)
    preference = await q.select_delivery_preference(conn, citizen_id)
    choices = await q.select_notification_choices(conn, citizen_id)
    return m.DataExport(
        format_version=m.FORMAT_VERSION, exported_at=now, language=language,
        profile=m.Profile(name=profile["name"], street=profile["street"], postcode=profile["postcode"],
                          city=profile["city"], municipality=profile["municipality"], phone=profile["phone"],
                          language=profile["language"], stoma_since=profile["stoma_since"],
                          registered_at=profile["created_at"]),
        grants=[m.Grant(product=r["product"], manufacturer=r["manufacturer"], item_no=r["item_no"],
                        quantity_per_period=r["quantity_per_period"],
                        unit=unit_label(r["unit"], r["quantity_per_period"]), period_days=r["period_days"],
                        valid_from=r["valid_from"], valid_to=r["valid_to"], payer=r["payer"])
                for r in await q.select_grants(conn, citizen_id)],
        orders=await orders(conn, citizen_id),
        callbacks=[callback(r) for r in await q.select_callbacks(conn, citizen_id)],
        # No row means the defaults the delivery page shows: home delivery, no leave-at-door permission.
        delivery_preference=m.DeliveryPreference(**dict(preference)) if preference else m.DeliveryPreference(
            method="home", pickup_point=None, leave_at_door_allowed=False, driver_note="", updated_at=None),
        temporary_addresses=[m.TemporaryAddress(street=r["street"], postcode=r["postcode"], city=r["city"],
                                                valid_from=r["valid_from"], valid_to=r["valid_to"],
                                                added_at=r["created_at"])
                             for r in await q.select_temporary_addresses(conn, citizen_id)],
        devices=[m.Device(label=r["label"], language=r["language"], added_at=r["created_at"],
                          last_notified_at=r["last_success_at"]) for r in await q.select_devices(conn, citizen_id)],
        # A type without a row is on (migration 0005).
        notification_preferences=[m.NotificationPreference(type=n.value, label=notice_label(n),
                                                           enabled=choices.get(n.value, True))
                                  for n in PREFERENCE_TYPES],
        helpers=await helpers(conn, citizen_id, now),
        change_requests=[change_request(r) for r in await q.select_change_requests(conn, citizen_id)],
        log=log(await q.select_log(conn, citizen_id)),
    )


def export_filename(today: dt.date) -> str:
    return f"mine-data-{today.isoformat()}.json"


def encode(export: m.DataExport) -> bytes:
    return encoder.encode(export)

