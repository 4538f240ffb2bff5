"""The payer report as CSV, for Danish Excel: UTF-8 with a byte order mark (without it Excel reads
æøå wrongly), ``;`` between fields (Danish Excel's list separator, since ``,`` is the decimal
mark), decimal comma, CRLF line ends, no thousands separators. One row per payer and month; the
header row is in the user's language. A lead time beyond the last histogram bucket is written
as ``>336``; so is a handling time of a product-change request (the same buckets).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from backend.i18n import gettext as _
from backend.reports.buckets import Percentile
from backend.reports.figures import MonthFigures
from backend.reports.params import ReportRange

BOM = "\ufeff"


def _hours(p: Percentile) -> str:
    if not p.known:
        return ""
    return str(p.hours) if p.hours is not None else f">{p.beyond}"


def _kroner(oere: int) -> str:
    return f"{oere // 100},{oere % 100:02d}"


def header() -> list[str]:
    return [_("Payer code"), _("Payer"), _("Month"), _("Citizens served"), _("Orders"), _("Units (pieces)"),
            _("Packs"), _("Spend (kr.)"), _("Delivered orders"), _("Delivery time, median (hours)"),
            _("Delivery time, 90th percentile (hours)"), _("Backorders"),
            _("Callbacks handled (citizen's municipality)"), _("Callbacks waiting (citizen's municipality)"),
            _("Requests for another product"), _("Requests for another product, answered"),
            _("Handling time, median (hours)"), _("Handling time, 90th percentile (hours)")]


def report_csv(rows: list[MonthFigures], payers: Mapping[int, Mapping]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for m in rows:
        payer = payers[m.payer_id]
        writer.writerow([payer["code"], payer["name"], m.month.strftime("%Y-%m"), m.citizens, m.orders, m.pieces,
                         m.packs, _kroner(m.spend_oere), m.delivered, _hours(m.lead_median), _hours(m.lead_p90),
                         m.backorders, m.callbacks_handled, m.callbacks_waiting, m.change_requests,
                         m.change_decided, _hours(m.change_median), _hours(m.change_p90)])
    return BOM + out.getvalue()


def csv_filename(report_range: ReportRange) -> str:
    return f"payer-report-{report_range.first:%Y-%m}-{report_range.last:%Y-%m}.csv"
