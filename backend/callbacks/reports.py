"""Supervisor reports: callbacks by status and outcome, and the staff access log."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get

from backend.callbacks.labels import outcome_label, status_label
from backend.callbacks.rules import TZ
from backend.catalog.labels import N_
from backend.i18n import gettext as _
from backend.callbacks import capacity_queries as q
from backend.staff.access_reasons import reason_label
from backend.staff.queries import log_staff_event, select_access_log
from backend.web.deps import DB
from backend.web.templating import render

REPORT_DAYS = 30

ACTION_LABELS = {
    "staff_viewed_citizen": N_("Viewed the citizen's data"),
    "callback_claimed": N_("Took a request"),
    "callback_released": N_("Gave a request back"),
    "callback_outcome": N_("Recorded an outcome"),
    "capacity_changed": N_("Changed opening hours or capacity"),
    "slot_capacity_changed": N_("Changed the capacity of a slot"),
    "staff_viewed_order_attention": N_("Viewed the orders to follow up"),
    "order_attention_handled": N_("Marked an order as followed up"),
    "staff_login": N_("Logged in"),
    "staff_logout": N_("Logged out"),
    "staff_deactivated": N_("Deactivated a staff member"),
    "staff_reactivated": N_("Reactivated a staff member"),
    "staff_viewed_queue": N_("Viewed the queue of callback requests"),
    "staff_viewed_reports": N_("Viewed the reports and the access log"),
    "authority_contact_changed": N_("Changed a municipality's contact"),
    "staff_searched_citizens": N_("Searched for citizens"),
    "inbound_call_opened": N_("Opened an inbound call"),
    "callback_booked": N_("Booked a callback for a citizen"),
    "staff_viewed_payer_reports": N_("Viewed the reports for payers"),
    "staff_downloaded_payer_reports": N_("Downloaded the reports for payers (CSV)"),
}


class ReportsController(Controller):
    path = "/fsc"
    opt = {"access": "supervisor"}  # see backend/web/access.py

    @get("/reports", name="staff_reports")
    async def reports(self, request: Request, db: DB) -> Response:
        since = dt.datetime.combine(dt.datetime.now(TZ).date() - dt.timedelta(days=REPORT_DAYS), dt.time(), TZ)
        report = [{"status": status_label(r["status"]), "outcome": outcome_label(r["outcome"]), "n": r["n"]}
                  for r in await q.select_report(db, since)]
        await log_staff_event(db, request.scope["state"]["staff"].staff_id, "staff_viewed_reports")
        log = [{**dict(r), "action_label": _(ACTION_LABELS.get(r["action"], r["action"])),
                "reason_label": reason_label(r["detail"].get("reason"))}
               for r in await select_access_log(db)]
        return render(request, "staff/reports.html", {"report": report, "log": log, "days": REPORT_DAYS},
                      block=None)
