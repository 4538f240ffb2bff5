"""Pure rules of the payer report: lead-time buckets and percentiles, month parameters, chart axes."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from backend.reports.buckets import BUCKETS, OVERFLOW, add_sparse, bucket_of, nearest_rank, percentile, upper_bound
from backend.reports.charts import bar_chart, nice_step
from backend.reports.params import ReportAccessError, ReportInputError, months_back, parse_payer, parse_range

TODAY = dt.date(2026, 11, 29)


def test_buckets_are_4_hours_for_a_week_then_days_to_14_days_then_one_open_bucket():
    assert [bucket_of(h) for h in (-1, 0, 3.99, 4, 47.5, 167.9)] == [0, 0, 0, 1, 11, 41]
    assert [bucket_of(h) for h in (168, 191.9, 192, 335.9, 336, 5000)] == [42, 42, 43, 48, 49, 49]
    assert BUCKETS == 50 and OVERFLOW == 49
    assert [upper_bound(b) for b in (0, 11, 41, 42, 48, 49)] == [4, 48, 168, 192, 336, None]


def test_percentile_of_the_summed_histogram_is_the_bucketed_exact_nearest_rank_percentile():
    rng = random.Random(7)
    for n in (1, 2, 10, 30, 333):
        hours = [rng.uniform(0, 400) for _ in range(n)]
        days = [hours[i::3] for i in range(3)]   # the same lead times spread over three days
        total: dict[int, int] = {}
        for day in days:
            counts: dict[int, int] = {}
            for h in day:
                counts[bucket_of(h)] = counts.get(bucket_of(h), 0) + 1
            add_sparse(total, list(counts), list(counts.values()))
        for percent in (50, 90):
            exact = sorted(hours)[nearest_rank(percent, n) - 1]
            assert percentile(total, percent).bucket == bucket_of(exact), (n, percent)


def test_nearest_rank_has_no_floating_point_surprises():
    assert nearest_rank(90, 30) == 27 and nearest_rank(50, 4) == 2 and nearest_rank(90, 1) == 1
    assert not percentile({}, 50).known


def test_month_range_defaults_to_the_last_12_months_and_refuses_bad_input():
    default = parse_range(None, None, TODAY)
    assert (default.first, default.last, len(default.months)) == (dt.date(2025, 12, 1), dt.date(2026, 11, 1), 12)
    assert parse_range("2026-01", "2026-03", TODAY).months == [dt.date(2026, m, 1) for m in (1, 2, 3)]
    for first, last in (("2026-13", None), ("26-01", None), (None, "2026-1"), ("2026-05", "2026-04"),
                        ("2020-01", "2026-01"), ("1999-12", "2000-01")):
        with pytest.raises(ReportInputError):
            parse_range(first, last, TODAY)
    assert months_back(dt.date(2026, 1, 1), 1) == dt.date(2025, 12, 1)


def test_payer_by_code_and_a_caseworker_only_their_own():
    payers = {751: 10, 707: 11}
    assert parse_payer("", payers, None) is None and parse_payer("751", payers, None) == 10
    assert parse_payer("", payers, 11) == 11 and parse_payer("707", payers, 11) == 11
    for value, own in (("999", None), ("x", None), ("751", 11)):
        with pytest.raises(ReportInputError):
            parse_payer(value, payers, own)
    with pytest.raises(ReportAccessError):   # another authority than the caseworker's own: 403
        parse_payer("751", payers, 11)


def test_bar_chart_scales_to_a_readable_top_and_skips_missing_values():
    assert [nice_step(v) for v in (0, 0.3, 1.25, 3, 13, 240)] == [1, 1, 2, 5, 20, 500]
    chart = bar_chart("c", "T", "Y", "X", ["a", "b"], [("s", [6, None])], lambda v: str(round(v)))
    assert len(chart.bars) == 1   # no bar for a month without a value
    assert [t.label for t in chart.ticks] == ["0", "2", "4", "6", "8"]
    assert chart.bars[0].height == pytest.approx(chart.plot_h * 6 / 8, abs=0.1)


def test_a_caseworker_reports_on_their_own_authority_only_and_never_on_all_without_one():
    from types import SimpleNamespace

    from litestar.exceptions import PermissionDeniedException

    from backend.reports.routes import own_authority

    assert own_authority(SimpleNamespace(role="supervisor")) is None
    assert own_authority(SimpleNamespace(role="caseworker", authority_id=11)) == 11
    with pytest.raises(PermissionDeniedException):
        own_authority(SimpleNamespace(role="caseworker", authority_id=None))
