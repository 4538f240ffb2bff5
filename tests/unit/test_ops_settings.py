"""The operations settings refuse what cannot work, and the webhook's outcomes are named for the metrics."""

import pytest
from litestar import Response

from backend.settings import SettingsError
from backend.warehouse.routes import problem, webhook_outcome
from tests.conftest import make_settings


@pytest.mark.parametrize(("overrides", "message"), [
    ({"log_format": "xml"}, "FSC_LOG_FORMAT"),
    ({"metrics_port": 8000}, "FSC_METRICS_PORT"),  # the public port
    ({"metrics_port": 70000}, "FSC_METRICS_PORT"),
    ({"audit_log_keep_days": 30}, "FSC_AUDIT_LOG_KEEP_DAYS"),
    ({"job_history_keep_days": 0}, "FSC_JOB_HISTORY_KEEP_DAYS"),
    ({"shutdown_timeout_s": 0}, "FSC_SHUTDOWN_TIMEOUT_S"),
])
def test_bad_operations_settings_are_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        make_settings(**overrides)


def test_defaults_keep_the_access_log_five_years_and_metrics_off():
    settings = make_settings()
    assert settings.audit_log_keep_days == 1827 and settings.metrics_port == 0 and settings.log_format == "json"


@pytest.mark.parametrize(("response", "outcome"), [
    (Response({"status": "applied", "event_id": "e"}), ("accepted", "applied")),
    (Response({"status": "duplicate", "event_id": "e"}), ("accepted", "duplicate")),
    (problem(401, "Unauthorized", "signature check failed: bad signature"), ("refused", "signature")),
    (problem(401, "Unauthorized", "signature check failed: replayed request"), ("refused", "replayed")),
    (problem(404, "Unknown order", "order 1 does not exist"), ("refused", "unknown_order")),
    (problem(409, "Conflict", "withdrawn"), ("refused", "conflict")),
    (problem(422, "Unprocessable event", "schema"), ("refused", "malformed")),
])
def test_webhook_outcomes_for_the_metrics(response, outcome):
    assert webhook_outcome(response) == outcome
