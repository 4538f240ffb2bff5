"""Reports for payers (issue 16 §8): /fsc/reports/payers (page with charts) and its CSV.

Both read only the daily aggregates (backend/reports/aggregate.py keeps them). A supervisor sees
every payer; a caseworker (access kind "reports") is limited to their own authority by
``own_authority`` below, which the queries take as their payer filter. A caseworker asking for
another payer gets 403, and the attempt is written to the audit log ("caseworker_refused").
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.exceptions import PermissionDeniedException

from backend.callbacks.rules import TZ
from backend.i18n import format_date, format_number
from backend.i18n import gettext as _
from backend.reports import queries as q
from backend.reports.charts import bar_chart
from backend.reports.csv_export import csv_filename, report_csv
from backend.reports.figures import MonthFigures, month_figures, totals
from backend.reports.params import ReportAccessError, ReportInputError, ReportRange, parse_payer, parse_range
from backend.staff.models import StaffViewer
from backend.staff.queries import log_staff_event
from backend.web.deps import DB
from backend.web.templating import render


def own_authority(staff: StaffViewer) -> int | None:
    """The one authority a caseworker may report on; None (every payer) for FSC supervisors. A
    caseworker without an authority sees nothing (fails closed rather than seeing every payer)."""
    if staff.role != "caseworker":
        return None
    authority = getattr(staff, "authority_id", None)
    if authority is None:
        raise PermissionDeniedException()
    return authority


def charts(months: list[MonthFigures]) -> list:
    labels = [format_date(m.month, "MMM yy") for m in months]
    return [
        bar_chart("orders", _("Orders per month"), _("Orders"), _("Month"), labels,
                  [(_("Orders"), [m.orders for m in months])], lambda v: format_number(round(v))),
        bar_chart("spend", _("Spend per month in kroner"), _("Kroner"), _("Month"), labels,
                  [(_("Spend"), [m.spend_oere / 100 for m in months])], lambda v: format_number(round(v))),
        bar_chart("lead", _("Delivery time per month in hours"), _("Hours"), _("Month"), labels,
                  [(_("Median"), [m.lead_median.hours for m in months]),
                   (_("90th percentile"), [m.lead_p90.hours for m in months])],
                  lambda v: format_number(round(v))),
    ]


class PayerReportsController(Controller):
    path = "/fsc/reports"
    opt = {"access": "reports"}  # supervisors and caseworkers (their own authority: own_authority)

    async def _input(self, request: Request, db: DB) -> tuple[ReportRange, int | None, list, dict]:
        """Parse the GET form; raises ReportInputError. Returns the range, the payer id (None: all),
        the payers to choose from, and the form's values."""
        staff: StaffViewer = request.scope["state"]["staff"]
        params = request.query_params
        values = {name: params.get(name) or "" for name in ("from", "to", "payer")}
        payers = await q.select_payers(db)
        own = own_authority(staff)
        today = dt.datetime.now(TZ).date()
        report_range = parse_range(values["from"], values["to"], today)
        try:
            payer_id = parse_payer(values["payer"], {p["code"]: p["id"] for p in payers}, own)
        except ReportAccessError:
            await log_staff_event(db, staff.staff_id, "caseworker_refused", detail={
                "view": "payer_reports", "authority_id": own, "payer": values["payer"].strip()})
            raise
        if own is not None:
            payers = [p for p in payers if p["id"] == own]
        # As understood (the form shows the default range, the CSV link repeats exactly this).
        values = {"from": f"{report_range.first:%Y-%m}", "to": f"{report_range.last:%Y-%m}",
                  "payer": values["payer"].strip()}
        return report_range, payer_id, payers, values

    @get("/payers", name="payer_reports")
    async def page(self, request: Request, db: DB) -> Response:
        try:
            report_range, payer_id, payers, values = await self._input(request, db)
        except ReportInputError as error:
            payers = await q.select_payers(db)
            own = own_authority(request.scope["state"]["staff"])
            values = {name: request.query_params.get(name) or "" for name in ("from", "to", "payer")}
            return render(request, "staff/payer_reports.html", {
                "errors": {error.field: _(error.message)}, "values": values,
                "payers": [p for p in payers if own is None or p["id"] == own], "months": [], "charts": [],
                "total": None, "refreshed_at": None, "csv_url": None}, status_code=error.status_code, block=None)
        payer_ids = None if payer_id is None else [payer_id]
        months = await month_figures(db, report_range.first, report_range.last, payer_ids, by_payer=False)
        await log_staff_event(db, request.scope["state"]["staff"].staff_id, "staff_viewed_payer_reports",
                              detail={"from": values["from"], "to": values["to"], "payer": values["payer"] or None})
        query = urlencode({k: v for k, v in values.items() if v})
        return render(request, "staff/payer_reports.html", {
            "errors": {}, "values": values, "payers": payers, "months": months, "charts": charts(months),
            "total": totals(months), "refreshed_at": await q.select_refreshed_at(db),
            "csv_url": f"/fsc/reports/payers.csv?{query}"}, block=None)

    @get("/payers.csv", name="payer_reports_csv")
    async def csv(self, request: Request, db: DB) -> Response:
        try:
            report_range, payer_id, payers, values = await self._input(request, db)
        except ReportInputError as error:
            return Response(_(error.message), status_code=error.status_code, media_type="text/plain; charset=utf-8",
                            headers={"Cache-Control": "no-store"})
        payer_ids = None if payer_id is None else [payer_id]
        rows = await month_figures(db, report_range.first, report_range.last, payer_ids, by_payer=True)
        await log_staff_event(db, request.scope["state"]["staff"].staff_id, "staff_downloaded_payer_reports",
                              detail={"from": values["from"], "to": values["to"], "payer": values["payer"] or None})
        body = report_csv(rows, {p["id"]: p for p in payers})
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{csv_filename(report_range)}"',
            "Cache-Control": "no-store"})
