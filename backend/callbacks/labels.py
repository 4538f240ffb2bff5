"""Translatable names of callback topics, statuses, outcomes and booking errors."""

from __future__ import annotations

from backend.catalog.labels import N_
from backend.i18n import gettext

TOPIC_LABELS = {
    "grant": N_("My grant"),
    "order": N_("An order or a delivery"),
    "product": N_("Product advice: skin, leaks, fit or a change of product"),
    "other": N_("Something else"),
}

# One word per status, the same for the citizen and for FSC staff: when a citizen on the phone
# reads out what their page says, the advisor's screen says the same.
STATUS_LABELS = {
    "waiting": N_("Booked"),
    "in_progress": N_("In progress"),
    "no_answer": N_("No answer – we will try again"),
    "failed": N_("Not reached"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}

STATUS_BADGES = {
    "waiting": "badge-info",
    "in_progress": "badge-warning",
    "no_answer": "badge-warning",
    "failed": "badge-error",
    "done": "badge-success",
    "cancelled": "",
}

OUTCOME_LABELS = {
    "advice_given": N_("Advice given"),
    "order_placed": N_("Order placed for the citizen"),
    "forwarded_to_municipality": N_("Grant question forwarded to the municipality"),
    "no_answer": N_("No answer"),
}

ERRORS = {
    "topic_missing": N_("Choose what the call is about."),
    "slot_missing": N_("Choose a time for the call."),
    "phone_invalid": N_("Write a Danish phone number with 8 digits, for example 12 34 56 78."),
    "note_too_long": N_("The note can be at most 500 characters long."),
    "past": N_("That time has passed. Choose a later time."),
    "closed": N_("Fælles Service Center is closed at that time. Choose another time."),
    "not_a_slot": N_("That is not one of the times you can choose. Choose another time."),
    "too_far": N_("You can book a call up to 10 working days ahead. Choose an earlier time."),
    "full": N_("That time has just been fully booked. Choose another time."),
    "too_many": N_("You already have 2 calls booked. Cancel or move one of them before you book a new one."),
    "not_changeable": N_("This call can no longer be changed."),
    "same_slot": N_("Your call is already booked at that time. Choose another time."),
}


# Where the citizen's wording ("you") does not fit an advisor booking for them.
STAFF_ERRORS = {
    "too_many": N_("The citizen already has 2 calls booked. Move or cancel one of them first."),
}


def staff_error_message(code: str) -> str:
    return gettext(STAFF_ERRORS.get(code) or ERRORS.get(code, code))


def topic_label(key: str) -> str:
    return gettext(TOPIC_LABELS.get(key, key))


def status_label(key: str) -> str:
    return gettext(STATUS_LABELS.get(key, key))


def outcome_label(key: str | None) -> str:
    return gettext(OUTCOME_LABELS[key]) if key in OUTCOME_LABELS else ""


def error_message(code: str) -> str:
    return gettext(ERRORS.get(code, code))
