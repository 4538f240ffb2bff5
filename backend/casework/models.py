"""Product-change requests: reasons, statuses and the words for them and for refusals.

Every msgid is English and translated by gettext; codes are what the database and the forms carry.
"""

from __future__ import annotations

from backend.catalog.labels import N_
from backend.i18n import gettext as _

NOTE_MAX = 500
"""The citizen's optional note, and the caseworker's reason for a rejection."""

REASONS = {
    "leaks": N_("It leaks"),
    "skin": N_("Sore or red skin"),
    "fit": N_("It does not fit well"),
    "nurse_advice": N_("A nurse advised another product"),
}

STATUS_LABELS = {
    "open": N_("Waiting for an answer"),
    "approved": N_("Approved"),
    "rejected": N_("Not approved"),
}
STATUS_BADGES = {"open": "badge-info", "approved": "badge-success", "rejected": "badge-warning"}

# Why a request or a decision was refused (nothing written), as a field and a message.
ERRORS = {
    "unknown_grant": ("grant", N_("Choose one of the citizen's current grants.")),
    "grant_ended": ("grant", N_("This grant has ended, so it cannot be changed. Contact the municipality.")),
    "unknown_product": ("product", N_("Choose a product from the list.")),
    "other_area": ("product", N_("Choose a product of the same kind as the one you have now.")),
    "same_product": ("product", N_("Choose another product than the one you have now.")),
    "bad_reason": ("reason", N_("Choose why you need another product.")),
    "note_too_long": ("note", N_("The note can be at most 500 characters long.")),
    "already_open": ("form", N_("There is already a request for this product waiting for an answer. "
                                "You will hear from us when it is answered.")),
    "bad_date": ("effective_from", N_("Write the date as dd-mm-yyyy.")),
    "date_in_past": ("effective_from", N_("The change cannot start before today.")),
    "date_before_grant": ("effective_from", N_("The change must start after the grant's first day.")),
    "date_after_grant": ("effective_from", N_("The change must start before the grant ends.")),
    "no_rejection_reason": ("decision_note", N_("Write why the request is not approved.")),
    "rejection_too_long": ("decision_note", N_("The reason can be at most 500 characters long.")),
    "already_decided": ("form", N_("This request has already been answered.")),
}

CONFLICTS = ("already_open", "already_decided")
"""Refusals that are about the state of things (409), not about what was typed (422)."""


def reason_label(code: str) -> str:
    return _(REASONS[code]) if code in REASONS else code


def status_label(code: str) -> str:
    return _(STATUS_LABELS.get(code, code))


def error_fields(code: str) -> dict[str, str]:
    """{field: translated message} for a refusal code."""
    field, message = ERRORS[code]
    return {field: _(message)}


def status_code_for(code: str) -> int:
    return 409 if code in CONFLICTS else 422


class Refused(Exception):
    """A request or decision that breaks a rule: nothing was written."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
