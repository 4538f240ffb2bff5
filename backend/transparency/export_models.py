"""The shape of "Download all your data" (/mine-data.json), documented in docs/data-export.md.

Keys are English and stable (for programs); the ``…_label``/``description`` values are in the
citizen's language (for people). Times are ISO 8601 with offset, dates ISO 8601.
Never in here: the CPR number or its hash, FSC's internal call notes, push endpoints and keys,
other people's data beyond the name (and role) of who acted.
"""

from __future__ import annotations

import datetime as dt

import msgspec

FORMAT_VERSION = 1


class Struct(msgspec.Struct, kw_only=True, omit_defaults=False):
    pass


class Profile(Struct):
    name: str
    street: str
    postcode: str
    city: str
    municipality: str
    phone: str | None
    language: str
    stoma_since: dt.date | None
    registered_at: dt.datetime


class Grant(Struct):
    product: str
    manufacturer: str
    item_no: str
    quantity_per_period: int
    unit: str
    period_days: int
    valid_from: dt.date
    valid_to: dt.date | None
    payer: str


class Actor(Struct):
    kind: str
    """citizen (you), relative (a helper), staff (Fælles Service Center), system (automatic)."""
    name: str | None = None
    role: str | None = None


class OrderLine(Struct):
    product: str
    manufacturer: str
    item_no: str
    packs: int
    pieces: int


class OrderEvent(Struct):
    event: str
    description: str
    at: dt.datetime


class TrackingEvent(Struct):
    type: str
    description: str
    occurred_at: dt.datetime


class Parcel(Struct):
    parcel_no: int
    status: str
    status_label: str
    carrier: str | None
    tracking_no: str | None
    tracking_url: str | None
    updated_at: dt.datetime
    events: list[TrackingEvent]


class Delivery(Struct):
    method: str
    recipient_name: str
    street: str
    postcode: str
    city: str
    pickup_point: str | None
    leave_at_door: bool
    driver_note: str
    expected: dt.date | None


class Order(Struct):
    id: int
    placed_at: dt.datetime
    placed_by: Actor
    status: str
    status_label: str
    delivery: Delivery
    lines: list[OrderLine]
    history: list[OrderEvent]
    parcels: list[Parcel]


class Callback(Struct):
    id: int
    time: dt.datetime
    topic: str
    topic_label: str
    phone: str
    your_note: str
    status: str
    status_label: str
    outcome_label: str | None
    summary_for_you: str | None
    """What the advisor wrote for you (never FSC's internal note)."""
    advisor_first_name: str | None
    booked_at: dt.datetime
    updated_at: dt.datetime


class DeliveryPreference(Struct):
    method: str
    pickup_point: str | None
    leave_at_door_allowed: bool
    driver_note: str
    updated_at: dt.datetime | None


class TemporaryAddress(Struct):
    street: str
    postcode: str
    city: str
    valid_from: dt.date
    valid_to: dt.date
    added_at: dt.datetime


class Device(Struct):
    label: str
    language: str
    added_at: dt.datetime
    last_notified_at: dt.datetime | None


class NotificationPreference(Struct):
    type: str
    label: str
    enabled: bool


class LogEntry(Struct):
    at: dt.datetime
    who: str
    role: str
    what: str
    reason: str | None
    """Why a staff member opened your data (only for those entries)."""
    order_id: int | None
    callback_id: int | None


class Power(Struct):
    """A power of attorney the citizen gave (issue 14): live, ended or revoked."""
    helper_name: str
    scopes: list[str]
    """view, order, callbacks, delivery, notifications"""
    scope_labels: list[str]
    source: str
    """invitation (in the app), paper or digital_fuldmagt (registered by FSC)"""
    source_label: str
    document_ref: str
    valid_to: dt.datetime | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class Invitation(Struct):
    helper_name: str
    scopes: list[str]
    scope_labels: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime


class Helpers(Struct):
    powers: list[Power]
    open_invitations: list[Invitation]


class ChangeRequest(Struct):
    """Asking the payer for another product (issue 16)."""
    current_product: str
    wanted_product: str
    wanted_item_no: str
    payer: str
    reason: str
    reason_label: str
    your_note: str
    status: str
    status_label: str
    decision_note: str
    """The caseworker's reason when the answer was no."""
    asked_at: dt.datetime
    due_on: dt.date
    decided_at: dt.datetime | None
    effective_from: dt.date | None


class DataExport(Struct):
    format_version: int
    exported_at: dt.datetime
    language: str
    profile: Profile
    grants: list[Grant]
    orders: list[Order]
    callbacks: list[Callback]
    delivery_preference: DeliveryPreference
    temporary_addresses: list[TemporaryAddress]
    devices: list[Device]
    notification_preferences: list[NotificationPreference]
    helpers: Helpers
    change_requests: list[ChangeRequest]
    log: list[LogEntry]
    """What helpers and FSC staff did or saw, newest first (the same entries as "Hvem har set og gjort hvad")."""
