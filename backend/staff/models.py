"""Staff roles and the signed-in staff member."""

from __future__ import annotations

import msgspec

from backend.catalog.labels import N_
from backend.i18n import gettext

ADVISOR = "advisor"
SUPERVISOR = "supervisor"
CASEWORKER = "caseworker"
FSC_ROLES = (ADVISOR, SUPERVISOR)
"""Fælles Service Center staff: the console's advisor pages (queue, calls, search) are for these only."""
ROLES = (*FSC_ROLES, CASEWORKER)

ROLE_LABELS = {
    ADVISOR: N_("Advisor"),
    SUPERVISOR: N_("Supervisor"),
    CASEWORKER: N_("Caseworker"),
}


def role_label(role: str) -> str:
    return gettext(ROLE_LABELS.get(role, role))


class StaffViewer(msgspec.Struct, frozen=True):
    """The signed-in staff member, as loaded from the staff session on each /fsc request."""

    session_hash: bytes
    staff_id: int
    name: str
    role: str
    via_provider: bool = False
    """Signed in through the organisation's provider (logout ends the provider's session too)."""
    authority_id: int | None = None
    """A caseworker's authority (a municipality or region); None for FSC staff."""
    authority_name: str = ""

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR

    @property
    def is_caseworker(self) -> bool:
        return self.role == CASEWORKER

    @property
    def role_label(self) -> str:
        return role_label(self.role)
