"""Plain words for the citizen's log: what was done, by whom, and why.

Every action name the app writes to audit_log today has a line here. A name added later (by
another feature) still shows: as a generic line ("Opened your data" for ``staff_viewed_…``, else
"Did something with your data"), never as an error or as the raw name. Only a few detail keys
are read (the order or call it was about, the reason): the detail JSON itself is never shown.
"""

from __future__ import annotations

from typing import Any

from backend.catalog.labels import N_
from backend.i18n import gettext as _
from backend.staff.models import ROLE_LABELS

ACTION_LABELS = {
    # Orders
    "order_placed": N_("Placed an order"),
    "order_cancel_requested": N_("Asked to cancel an order"),
    "order_cancelled": N_("Cancelled an order"),
    "order_cancel_refused": N_("An order could not be cancelled because it was already on its way"),
    "backorder_decided": N_("Chose what to do about a product that was out of stock"),
    "order_attention_handled": N_("Followed up on a problem with an order"),
    # Calls
    "callback_booked": N_("Booked a call from Fælles Service Center"),
    "callback_moved": N_("Moved a call to another time"),
    "callback_cancelled": N_("Cancelled a call"),
    "callback_claimed": N_("Took your request for a call"),
    "callback_released": N_("Put your request for a call back in the queue"),
    "callback_outcome": N_("Wrote down what came out of the call"),
    "inbound_call_opened": N_("Answered your phone call"),
    # Helpers and powers of attorney (backend/powers)
    "helper_invited": N_("Invited a helper"),
    "helper_invitation_withdrawn": N_("Withdrew an invitation to a helper"),
    "power_accepted": N_("Accepted your power of attorney and became your helper"),
    "helper_started_acting": N_("Started helping you in the app"),
    "power_scopes_changed": N_("Changed what a helper may do for you"),
    "power_revoked": N_("Ended a helper's power of attorney"),
    "power_registered": N_("Registered a power of attorney from you (on paper or Digital Fuldmagt)"),
    # Wishes for another product (backend/casework)
    "change_request_created": N_("Asked for another product for you"),
    "change_request_approved": N_("Said yes to the wish for another product"),
    "change_request_rejected": N_("Said no to the wish for another product"),
    "caseworker_viewed_citizen": N_("Opened your data"),
    "caseworker_refused": N_("Tried to open your data and was stopped (another municipality)"),
    # Delivery and notifications
    "delivery_preference_changed": N_("Changed how your products are delivered"),
    "temporary_address_added": N_("Added a temporary delivery address"),
    "temporary_address_deleted": N_("Removed a temporary delivery address"),
    "push_preferences_changed": N_("Changed which notifications you get"),
    "push_subscribed": N_("Turned on notifications on a phone or computer"),
    "push_unsubscribed": N_("Turned off notifications on a phone or computer"),
    "push_subscription_renewed": N_("Notifications on a phone or computer were renewed"),
    # Logins and your own data
    "login": N_("Logged in"),
    "logout": N_("Logged out"),
    "logout_everywhere": N_("Logged out on all devices"),
    "data_exported": N_("Downloaded all your data"),
    # Staff access to your data
    "staff_viewed_citizen": N_("Opened your data"),
    "staff_viewed_queue": N_("Saw your request in the queue of calls"),
    "staff_viewed_order_attention": N_("Saw your order in the list of orders to follow up"),
    "staff_viewed_reports": N_("Saw the reports and the access log"),
}
GENERIC_VIEW = N_("Opened your data")
GENERIC_ACTION = N_("Did something with your data")

REASON_LABELS = {
    "inbound_call": N_("You called Fælles Service Center"),
    "callback": N_("You asked to be called"),
    "follow_up": N_("Follow-up on your case"),
    "complaint": N_("A complaint"),
}
NO_REASON = N_("not given")
OTHER_REASON = N_("another reason")

HELPER = N_("Your helper")
UNKNOWN_HELPER = N_("A helper")
UNKNOWN_STAFF = N_("An employee at Fælles Service Center")
STAFF_MEMBER = N_("Employee")


def is_access(action: str) -> bool:
    """A staff member saw the data (as opposed to changing something)."""
    return action.startswith("staff_viewed_")


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return _(ACTION_LABELS[action])
    return _(GENERIC_VIEW if is_access(action) else GENERIC_ACTION)


def reason_label(reason: str | None) -> str:
    if not reason:
        return _(NO_REASON)
    return _(REASON_LABELS.get(reason, OTHER_REASON))


def actor_label(kind: str, name: str | None, role: str | None) -> tuple[str, str]:
    """(who, what they are): a helper by name; a staff member by name and translated role."""
    if kind == "relative":
        return name or _(UNKNOWN_HELPER), _(HELPER)
    if name is None:
        return _(UNKNOWN_STAFF), _(STAFF_MEMBER)
    return name, _(ROLE_LABELS.get(role or "", STAFF_MEMBER))


def log_entry(row: Any) -> dict[str, Any]:
    """One row of select_log as the page and the download show it (translated, no raw detail)."""
    who, role = actor_label(row["actor_kind"], row["actor_name"], row["staff_role"])
    access = is_access(row["action"])
    return {
        "id": row["id"],
        "at": row["at"],
        "who": who,
        "role": role,
        "what": action_label(row["action"]),
        "access": access,
        "reason": reason_label(row["reason"]) if access else None,
        "order_id": _positive_int(row["order_id"]),
        "callback_id": _positive_int(row["callback_id"]),
    }


def _positive_int(text: str | None) -> int | None:
    """An id from the detail JSON (written by our own code, but read defensively)."""
    return int(text) if text is not None and text.isascii() and text.isdigit() and len(text) <= 19 else None
