"""The figures the metrics listener shows move with what happens (prometheus_client's registry)."""

from types import SimpleNamespace

import pytest
from pgqueuer.errors import RetryRequested
from prometheus_client import REGISTRY

from backend.metrics import observe_request
from backend.push.jobs import settle
from backend.push.service import Summary


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_push_outcomes_are_counted_sent_gone_refused_retried():
    before = {o: sample("fsc_push_total", outcome=o) for o in ("sent", "gone", "refused", "retried")}
    settle(Summary(sent=3, removed=1, failed=2), "parcel:1:1:delivered:0", None)
    with pytest.raises(RetryRequested):
        settle(Summary(retry=4), "parcel:1:1:delivered:0", SimpleNamespace(attempts=1))
    after = {o: sample("fsc_push_total", outcome=o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {"sent": 3, "gone": 1, "refused": 2, "retried": 4}


def test_a_request_is_counted_per_route_template_and_status_with_its_latency():
    labels = {"method": "GET", "route": "/orders/{order_id}", "status": "200"}
    before = sample("fsc_http_request_duration_seconds_count", **labels)
    observe_request("GET", "/orders/{order_id}", 200, 0.004)
    observe_request("GET", "/orders/{order_id}", 200, 0.3)
    assert sample("fsc_http_request_duration_seconds_count", **labels) == before + 2
    assert sample("fsc_http_request_duration_seconds_bucket", **labels, le="0.005") >= 1
