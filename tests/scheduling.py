"""Which tests get the machine to themselves (scripts/test's second pass).

The stack scenarios run a stack of our processes through a scenario in time (load streams,
outages, kills of a worker or the database, races against the worker, the one scaled stack).
Next to another test process on the 2 cores their time bounds were missed (the scale-out tests
failed three times in one parallel run), so they carry the ``stack`` mark: scripts/test runs
every other test on two processes first (``-m "not stack"``), then these one after another.
"""

from __future__ import annotations

import pytest

STACK_SCENARIOS = frozenset({
    "test_scale_out", "test_rolling_restart", "test_ops_logs_metrics",  # the session's `scaled` stack
    "test_cancel_race", "test_database_restart", "test_worker_resilience", "test_worker_shutdown",
    "test_parcel_flow", "test_outage_browser", "test_dev_supervisor",
})


# Its stream of orders leaves the warehouse simulator minutes of events to send on a loaded
# machine; the tests after it on the same stack waited for a simulator still busy with them.
RUN_LAST = "test_rolling_restart"


def mark_stack_scenarios(items: list[pytest.Item]) -> None:
    """Mark the stack scenarios, and run the rolling restart after every other test (in place)."""
    for item in items:
        if item.path.stem in STACK_SCENARIOS:
            item.add_marker(pytest.mark.stack)
    items.sort(key=lambda item: item.path.stem == RUN_LAST)  # stable: the rest keep their order
