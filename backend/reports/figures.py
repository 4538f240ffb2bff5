"""The report's figures per month (and payer), put together from the aggregate reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import asyncpg

from backend.reports import queries as q
from backend.reports.aggregate import next_month
from backend.reports.buckets import Percentile, add_sparse, percentile


@dataclass
class MonthFigures:
    month: dt.date
    payer_id: int | None = None
    citizens: int = 0
    orders: int = 0
    packs: int = 0
    pieces: int = 0
    spend_oere: int = 0
    delivered: int = 0
    backorders: int = 0
    callbacks_handled: int = 0
    callbacks_waiting: int = 0
    lead_histogram: dict[int, int] = field(default_factory=dict)
    change_requests: int = 0      # product-change requests made in the month (issue 16 §5)
    change_decided: int = 0       # of those, approved or rejected by now
    change_histogram: dict[int, int] = field(default_factory=dict)   # handling time made -> decided

    @property
    def lead_median(self) -> Percentile:
        return percentile(self.lead_histogram, 50)

    @property
    def lead_p90(self) -> Percentile:
        return percentile(self.lead_histogram, 90)

    @property
    def change_median(self) -> Percentile:
        return percentile(self.change_histogram, 50)

    @property
    def change_p90(self) -> Percentile:
        return percentile(self.change_histogram, 90)


SUMMED = ("citizens", "orders", "packs", "pieces", "spend_oere", "delivered", "backorders", "callbacks_handled",
          "callbacks_waiting", "change_requests", "change_decided")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


async def month_figures(conn: asyncpg.Connection, first: dt.date, last: dt.date, payer_ids: list[int] | None,
                        *, by_payer: bool) -> list[MonthFigures]:
    """Figures for the months ``first``..``last`` (first days of months, inclusive). Without
    ``by_payer`` one row per month (payers added together; a citizen with two payers in a month
    counts for each), every month present; with it one row per payer and month for every payer
    that has any figure in the range."""
    rows: dict[tuple[int | None, dt.date], MonthFigures] = {}
    for r in await q.select_months(conn, first, next_month(last), payer_ids):
        key = (r["payer_id"] if by_payer else None, r["month"])
        figures = rows.setdefault(key, MonthFigures(month=r["month"], payer_id=key[0]))
        for name in SUMMED:
            setattr(figures, name, getattr(figures, name) + r[name])
        add_sparse(figures.lead_histogram, r["lead_buckets"], r["lead_counts"])
        add_sparse(figures.change_histogram, r["change_buckets"], r["change_counts"])
    payers = sorted({payer for payer, _month in rows}) if by_payer else [None]
    return [rows.get((payer, month)) or MonthFigures(month=month, payer_id=payer)
            for payer in payers for month in months_between(first, last)]


def totals(months: list[MonthFigures]) -> MonthFigures:
    """The whole range added up (citizens are not: one citizen orders in several months)."""
    total = MonthFigures(month=months[0].month if months else dt.date.today())
    for m in months:
        for name in SUMMED[1:]:
            setattr(total, name, getattr(total, name) + getattr(m, name))
        add_sparse(total.lead_histogram, m.lead_histogram.keys(), m.lead_histogram.values())
        add_sparse(total.change_histogram, m.change_histogram.keys(), m.change_histogram.values())
    return total
