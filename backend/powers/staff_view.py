"""What the FSC call view shows about a citizen's helpers (pwa/templates/staff/_citizen_helpers.html)."""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.i18n import gettext as _
from backend.powers.queries import select_powers_of_citizen
from backend.powers.rules import scope_labels


def source_labels() -> dict[str, str]:
    return {"invitation": _("Invitation in the app"), "paper": _("Paper power of attorney"),
            "digital_fuldmagt": _("Digital Fuldmagt")}


async def helpers_context(conn: asyncpg.Connection, citizen_id: int) -> dict[str, Any]:
    """The values the partial needs: so an advisor can talk to the daughter who calls."""
    return {"helpers": await select_powers_of_citizen(conn, citizen_id), "citizen_id": citizen_id,
            "scope_labels": scope_labels(), "source_labels": source_labels()}
