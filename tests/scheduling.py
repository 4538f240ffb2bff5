"""How pytest-xdist shares the tests between the processes of scripts/test (`--dist loadgroup`).

The stack scenarios (a stack of our processes run through a scenario in time: load streams,
outages, races against the worker, the one scaled stack) run one after another in one process,
never two at once on the 2 cores; every other test goes wherever a process is free.

Why not xdist's own `xdist_group` marks: xdist 3.8 groups by renaming the test's node id
(``item._nodeid``), which pytest 9.2 no longer reads (it keeps the id in ``item._id``), so the
marks are silently ignored. Grouping by module name needs no renaming.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

STACK_SCENARIOS = frozenset({
    "test_scale_out", "test_rolling_restart", "test_ops_logs_metrics",  # the session's `scaled` stack
    "test_cancel_race", "test_database_restart", "test_worker_resilience", "test_worker_shutdown",
    "test_parcel_flow", "test_outage_browser", "test_dev_supervisor",
})


class StackScenariosTogether(LoadScopeScheduling):
    """Each test is a unit of its own, except the stack scenarios, which are one unit."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
        return "stack-scenarios" if module in STACK_SCENARIOS else nodeid
