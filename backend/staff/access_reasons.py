"""Why a staff member opens a citizen's data: the reason they pick, written to the access log.

Opening a citizen's record or a call view is an access to personal (health) data; the access log
(audit_log, actor_kind 'staff', action 'staff_viewed_citizen') keeps who, when, which view and
``detail["reason"]``. Only the advisor's own call in progress implies its reason; any other opening
asks for one first (pwa/templates/staff/reason.html).
"""

from __future__ import annotations

from backend.catalog.labels import N_
from backend.i18n import gettext

INBOUND_CALL, CALLBACK, FOLLOW_UP, COMPLAINT = "inbound_call", "callback", "follow_up", "complaint"
REASON_LABELS = {
    INBOUND_CALL: N_("The citizen is calling us (inbound call)"),
    CALLBACK: N_("A callback"),
    FOLLOW_UP: N_("Follow-up on an earlier contact"),
    COMPLAINT: N_("A complaint"),
}
REASONS = tuple(REASON_LABELS)


def parse_reason(value: str | None) -> str | None:
    """The reason key when ``value`` is one, else None (the page asks for it)."""
    return value if value in REASON_LABELS else None


def reason_choices() -> dict[str, str]:
    return {key: gettext(label) for key, label in REASON_LABELS.items()}


def reason_label(key: str | None) -> str:
    """The reason as the access log shows it ("" when none was given)."""
    return gettext(REASON_LABELS[key]) if key in REASON_LABELS else ""
