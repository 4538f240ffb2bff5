"""The reasons a grant command is refused: one code each (stable, for systems) and a plain
message (a msgid, translated where it is shown: the API's problem details, the CSV report)."""

from __future__ import annotations

from backend.catalog.labels import N_
from backend.i18n import gettext as _

REASONS: dict[str, str] = {
    "required": N_("This field must be filled in."),
    "too_long": N_("The text is too long (at most %(max)s characters)."),
    "bad_number": N_("Write a whole number."),
    "bad_date": N_("Write the date as YYYY-MM-DD, e.g. 2026-12-01."),
    "bad_reference": N_("The reference may not contain a slash (/) or control characters."),
    "bad_action": N_("The action must be create, change or end."),
    "bad_cpr": N_("The CPR number must be 10 digits, written DDMMYYXXXX or DDMMYY-XXXX."),
    "bad_quantity": N_("The quantity must be at least 1."),
    "bad_period": N_("The period must be from 1 to 366 days."),
    "end_before_start": N_("The end date is before the start date."),
    "no_product": N_("Give the product's HMI number, or its manufacturer and item number."),
    "unknown_product": N_("The product is not in the catalogue."),
    "unknown_area": N_("Unknown product area."),
    "wrong_area": N_("The product belongs to another product area (%(area)s)."),
    "unknown_municipality": N_("Unknown municipality code."),
    "wrong_authority": N_("The authority in the request is not the one the key belongs to."),
    "not_your_citizen": N_("%(authority)s cannot grant for a citizen of %(municipality)s."),
    "moved_citizen": N_("The citizen is registered in %(municipality)s; contact Fælles Service Center if they have moved."),
    "reference_conflict": N_("A grant with this reference already exists with other content."),
    "unknown_reference": N_("There is no grant with this reference from this authority."),
    "repeated_reference": N_("The same reference is also on line %(line)s."),
    "citizen_differs": N_("Line %(line)s gives other details for the same citizen."),
    "handover_overlap": N_("The region's discharge grant for this product starts on %(date)s, on or after this grant's start."),
    "ended_before_orders": N_("Orders already draw on this grant after %(date)s; the end date must be later."),
}


def reason_text(code: str, values: dict) -> str:
    """The reason in the current language."""
    text = _(REASONS[code])
    return text % values if values else text
