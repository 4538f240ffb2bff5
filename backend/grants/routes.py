"""The citizen's home page "Mine produkter": granted products, what is left, and the one-tap reorder."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypedDict

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from backend.auth.models import Viewer
from backend.casework.queries import recent_for_home_sql
from backend.casework.views import HOME_SHOWS_ANSWERS_DAYS, home_cards
from backend.grants.availability import citizen_with_grants_sql
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


# The home page's one statement: the citizen, their grants, and their change requests to show
# (change_requests_json, newest first; $5: how many days an answer stays on the card).
HOME_SQL = citizen_with_grants_sql(
    f""", (SELECT coalesce(json_agg(r ORDER BY r.created_at DESC, r.id DESC), '[]')
            FROM ({recent_for_home_sql('$5::int')}) r) AS change_requests_json""")


class RecentRequest(TypedDict):
    id: int
    grant_id: int
    new_grant_id: int | None
    status: str
    created_at: dt.datetime
    effective_from: dt.date | None
    wanted_product: str


async def home_values(conn: asyncpg.Connection, citizen_id: int, today: dt.date) -> dict[str, Any]:
    """What home.html shows besides the values every page has (templating.base_context). Everything
    about what may be ordered comes from one answer (grants.availability), the one the tap obeys."""
    loaded = await load_citizen_grants(conn, citizen_id, today, sql=HOME_SQL, more_args=(HOME_SHOWS_ANSWERS_DAYS,))
    citizen, available = loaded.citizen, loaded.available
    requests = msgspec.json.decode(citizen["change_requests_json"], type=list[RecentRequest])
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
        "change_requests": home_cards(requests),
    }
