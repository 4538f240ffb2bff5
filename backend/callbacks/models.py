"""Callback forms (as posted) and their validation into booking input."""

from __future__ import annotations

import datetime as dt

import msgspec

from backend.callbacks.rules import NOTE_MAX, TOPICS, normalise_phone, parse_slot


class BookingForm(msgspec.Struct):
    """The "Call me" form as posted; every field may be missing or wrong."""

    topic: str = ""
    slot: str = ""
    phone: str = ""
    note: str = ""


class ChangeDayForm(BookingForm):
    """The "Call me" form sent with another day chosen (without JavaScript): shown again as typed."""

    day: str = ""


class MoveForm(msgspec.Struct):
    slot: str = ""


class Booking(msgspec.Struct, frozen=True):
    """A validated booking request (the slot is checked against the schedule when booking)."""

    topic: str
    slot_start: dt.datetime
    phone: str
    note: str


def validate_booking(form: BookingForm) -> tuple[Booking | None, dict[str, str]]:
    """The booking, or None and error codes per field (see labels.ERRORS)."""
    errors: dict[str, str] = {}
    if form.topic not in TOPICS:
        errors["topic"] = "topic_missing"
    slot_start = parse_slot(form.slot)
    if slot_start is None:
        errors["slot"] = "slot_missing"
    phone = normalise_phone(form.phone)
    if phone is None:
        errors["phone"] = "phone_invalid"
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = "note_too_long"
    if errors:
        return None, errors
    return Booking(form.topic, slot_start, phone, note), {}  # type: ignore[arg-type]
