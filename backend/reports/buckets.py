"""Lead-time histogram buckets and percentiles from summed histograms (pure, no database).

A median of daily medians is not the month's median, so each day keeps how many orders fell in
each lead-time bucket; a month's buckets are summed and the percentile read from the sum.

Resolution: 4-hour buckets for the first 7 days (0–4 h, 4–8 h, … 164–168 h: where stoma
deliveries fall, the norm being 3 working days), then whole days up to 14 days, then one bucket
for everything longer. A percentile is reported as the upper bound of the bucket it falls in
("at most N hours"), so it is exact to within 4 hours in the first week and to within a day in
the second; beyond 14 days it is reported as "more than 336 hours" (upper bound None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

FINE_HOURS = 4
FINE_UNTIL = 168          # 7 days
COARSE_HOURS = 24
COARSE_UNTIL = 336        # 14 days
FINE_BUCKETS = FINE_UNTIL // FINE_HOURS                               # 42
OVERFLOW = FINE_BUCKETS + (COARSE_UNTIL - FINE_UNTIL) // COARSE_HOURS  # 49
BUCKETS = OVERFLOW + 1


def bucket_of(hours: float) -> int:
    """The bucket of a lead time in hours (a negative time from clock skew counts as 0)."""
    hours = max(0.0, hours)
    if hours < FINE_UNTIL:
        return int(hours // FINE_HOURS)
    if hours < COARSE_UNTIL:
        return FINE_BUCKETS + int((hours - FINE_UNTIL) // COARSE_HOURS)
    return OVERFLOW


def upper_bound(bucket: int) -> int | None:
    """The bucket's upper bound in hours (exclusive); None for the open-ended last bucket."""
    if bucket < FINE_BUCKETS:
        return (bucket + 1) * FINE_HOURS
    if bucket < OVERFLOW:
        return FINE_UNTIL + (bucket - FINE_BUCKETS + 1) * COARSE_HOURS
    return None


def bucket_sql(hours: str) -> str:
    """The same as ``bucket_of`` as an SQL expression over ``hours`` (double precision)."""
    h = f"greatest(0, {hours})"
    return (f"(CASE WHEN {h} < {FINE_UNTIL} THEN floor({h} / {FINE_HOURS})"
            f" WHEN {h} < {COARSE_UNTIL} THEN {FINE_BUCKETS} + floor(({h} - {FINE_UNTIL}) / {COARSE_HOURS})"
            f" ELSE {OVERFLOW} END)::smallint")


def add_sparse(total: dict[int, int], buckets: Iterable[int], counts: Iterable[int]) -> dict[int, int]:
    """Add one stored (sparse) histogram to ``total``."""
    for bucket, count in zip(buckets, counts, strict=True):
        total[bucket] = total.get(bucket, 0) + count
    return total


class Percentile:
    """A percentile read from a histogram: ``hours`` is its bucket's upper bound (None: beyond the
    last bound, shown as "more than ``beyond`` hours"); ``known`` is False when nothing was delivered."""

    beyond = COARSE_UNTIL

    def __init__(self, bucket: int | None) -> None:
        self.bucket = bucket
        self.known = bucket is not None
        self.hours = upper_bound(bucket) if bucket is not None else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Percentile) and other.bucket == self.bucket

    def __repr__(self) -> str:
        return f"Percentile(bucket={self.bucket}, hours={self.hours})"


def nearest_rank(percent: int, n: int) -> int:
    """The 1-based rank of the nearest-rank percentile: ceil(percent x n / 100), in integers (no float
    rounding: 0.9 x 30 is 27.000000000000004 in floating point)."""
    return max(1, (percent * n + 99) // 100)


def percentile(histogram: Mapping[int, int], percent: int) -> Percentile:
    """Nearest-rank percentile (``percent`` 1..100): the first bucket whose running count reaches
    ``nearest_rank``. Equal to bucketing the exact nearest-rank percentile of the raw lead times."""
    n = sum(histogram.values())
    if n == 0:
        return Percentile(None)
    rank = nearest_rank(percent, n)
    running = 0
    for bucket in sorted(histogram):
        running += histogram[bucket]
        if running >= rank:
            return Percentile(bucket)
    raise AssertionError("unreachable: the running count reaches n")
