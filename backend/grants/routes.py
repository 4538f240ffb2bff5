"""The citizen's home page "Mine produkter": granted products, what is left, and the one-tap reorder."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from backend.auth.models import Viewer
from backend.grants.rules import Reason, municipality_gate
from backend.grants.views import load_citizen_grants
from backend.orders.service import reason_text
from backend.orders.status import status_label
from backend.web.deps import DB, citizen_required, local_today, provide_viewer
from backend.web.templating import render


class HomeController(Controller):
    guards = [citizen_required]
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/", name="home")
    async def home(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        return render(request, "home.html", await home_values(db, viewer.citizen_id, local_today()))


async def home_values(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> dict[str, Any]:
    """What home.html shows besides the values every page has (templating.base_context)."""
    citizen, grants = await load_citizen_grants(conn, citizen_id, today)
    gate, gate_date = municipality_gate(citizen["participates"], citizen["go_live"], today)
    return {
        "citizen": citizen,
        "grants": grants,
        "gate": gate.value,
        "gate_reason": reason_text(gate, gate_date),
        "one_tap": [grant for grant in grants if grant.usual_packs > 0] if gate is Reason.OK else [],
        "idempotency_key": uuid.uuid4(),
        "today": today,
        "status_label": status_label,
    }
