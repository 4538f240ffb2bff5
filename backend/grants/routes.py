"""The citizen's home page "Mine produkter": granted products, what is left, and the one-tap reorder."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from backend.auth.models import Viewer
from backend.casework.queries import select_recent_for_home
from backend.casework.views import HOME_SHOWS_ANSWERS_DAYS, home_cards
from backend.grants.views import load_citizen_grants
from backend.orders.status import parcel_on_its_way, status_label
from backend.web.deps import DB, local_today, provide_viewer
from backend.web.templating import render


class HomeController(Controller):
    opt = {"access": "citizen"}  # see backend/web/access.py
    dependencies = {"viewer": Provide(provide_viewer, sync_to_thread=False)}

    @get("/", name="home", opt={"scope": "view"})
    async def home(self, request: Request, db: DB, viewer: NamedDependency[Viewer]) -> Response:
        return render(request, "home.html", await home_values(db, viewer.citizen_id, local_today()))


async def home_values(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> dict[str, Any]:
    """What home.html shows besides the values every page has (templating.base_context). Everything
    about what may be ordered comes from one answer (grants.availability), the one the tap obeys."""
    loaded = await load_citizen_grants(conn, citizen_id, today)
    citizen, available = loaded.citizen, loaded.available
    return {
        "citizen": citizen,
        "grants": loaded.grants,
        "areas": loaded.by_area(),  # grouped under area headings when there is more than one
        "gate": available.gate.value,
        "one_tap": loaded.one_tap(),
        "refusal": available.refusal(),  # shown when the one tap offers nothing; the tap says the same
        "on_its_way": parcel_on_its_way(citizen["latest_order_status"]),
        "idempotency_key": uuid.uuid4(),
        "today": today,
        "status_label": status_label,
        # grant id -> its newest product-change request (open, or answered lately)
        "change_requests": home_cards(await select_recent_for_home(conn, citizen_id, HOME_SHOWS_ANSWERS_DAYS)),
    }
