"""Settings parsing: required values, types, one clear error line."""

import subprocess
import sys

import pytest

from backend.push.vapid import generate_key_pair
from backend.settings import Settings, SettingsError, load_settings

GOOD = {"FSC_SECRET_KEY": "s" * 40, "FSC_CPR_KEY": "c" * 40, "FSC_WAREHOUSE_SECRET": "w" * 40}
PRIVATE, PUBLIC = generate_key_pair()
OTHER_PRIVATE, _OTHER_PUBLIC = generate_key_pair()
VAPID = {"FSC_VAPID_PRIVATE_KEY": PRIVATE, "FSC_VAPID_PUBLIC_KEY": PUBLIC, "FSC_VAPID_SUBJECT": "mailto:drift@example.org"}


def test_defaults_and_conversion():
    settings = load_settings(GOOD | {"FSC_PORT": "9000", "FSC_DEMO_LOGIN": "yes", "FSC_DATABASE_URL": ""})
    assert isinstance(settings, Settings)
    assert settings.port == 9000
    assert settings.demo_login is True
    assert settings.database_url is None
    assert settings.default_language == "da"


def test_warehouse_settings():
    settings = load_settings(GOOD | {"FSC_WAREHOUSE_SECRET": "n" * 32 + "," + "o" * 40,
                                     "FSC_WAREHOUSE_SIM_SPEED": "0.05", "FSC_WAREHOUSE_SIM_SEED": "7",
                                     "FSC_WAREHOUSE_SIM_BACKORDER_RATE": "1"})
    assert settings.warehouse_secrets == (b"n" * 32, b"o" * 40)
    assert settings.warehouse_sim_speed == 0.05 and settings.warehouse_sim_seed == 7
    assert settings.warehouse_sim_backorder_rate == 1.0
    assert settings.warehouse_url == "http://127.0.0.1:8100"
    assert load_settings(GOOD | {"FSC_WAREHOUSE_SIM_SEED": ""}).warehouse_sim_seed is None
    assert load_settings(settings.as_environ) == settings


def test_push_is_optional_and_needs_a_matching_key_pair():
    assert load_settings(GOOD).push_enabled is False
    settings = load_settings(GOOD | VAPID)
    assert settings.push_enabled and settings.vapid_public_key == PUBLIC
    assert load_settings(settings.as_environ) == settings


def test_push_services_default_to_the_browsers_and_the_local_one_is_opt_in():
    settings = load_settings(GOOD)
    assert settings.push_hosts == ("fcm.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,"
                                   "*.notify.windows.com")
    assert settings.push_allow_localhost is False
    assert (settings.push_max_attempts, settings.push_max_devices) == (30, 10)
    local = load_settings(GOOD | {"FSC_PUSH_HOSTS": "localhost:8443", "FSC_PUSH_ALLOW_LOCALHOST": "1"})
    assert load_settings(local.as_environ) == local


def test_cli_prints_a_usable_vapid_key_pair():
    result = subprocess.run([sys.executable, "-m", "backend.cli", "vapid-keys"], env={"PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    lines = dict(line.split("=", 1) for line in result.stdout.split())
    assert result.returncode == 0 and set(lines) == {"FSC_VAPID_PRIVATE_KEY", "FSC_VAPID_PUBLIC_KEY"}
    assert load_settings(GOOD | lines | {"FSC_VAPID_SUBJECT": "mailto:a@example.org"}).push_enabled


def test_settings_are_frozen():
    settings = load_settings(GOOD)
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FSC_CPR_KEY": "c" * 40}, "FSC_SECRET_KEY is required"),
        ({"FSC_SECRET_KEY": "s" * 40, "FSC_CPR_KEY": "c" * 40}, "FSC_WAREHOUSE_SECRET is required"),
        (GOOD | {"FSC_WAREHOUSE_SECRET": "w" * 40 + ",short"}, "FSC_WAREHOUSE_SECRET: each secret must be"),
        (GOOD | {"FSC_WAREHOUSE_URL": "warehouse.local"}, "FSC_WAREHOUSE_URL must be"),
        (GOOD | {"FSC_WAREHOUSE_SIM_SPEED": "fast"}, "FSC_WAREHOUSE_SIM_SPEED must be a number"),
        (GOOD | {"FSC_WAREHOUSE_SIM_SPEED": "0"}, "FSC_WAREHOUSE_SIM_SPEED must be more than 0"),
        (GOOD | {"FSC_WAREHOUSE_SIM_SPEED": "nan"}, "FSC_WAREHOUSE_SIM_SPEED must be a finite number"),
        (GOOD | {"FSC_WAREHOUSE_SIM_FAILURE_RATE": "1.5"}, "FSC_WAREHOUSE_SIM_FAILURE_RATE must be between"),
        (GOOD | {"FSC_WAREHOUSE_SIM_SEED": "abc"}, "FSC_WAREHOUSE_SIM_SEED must be a whole number"),
        (GOOD | {"FSC_SECRET_KEY": "short"}, "FSC_SECRET_KEY must be at least 32"),
        (GOOD | {"FSC_PORT": "eighty"}, "FSC_PORT must be a whole number"),
        (GOOD | {"FSC_PORT": "70000"}, "FSC_PORT must be between"),
        (GOOD | {"FSC_DEMO_LOGIN": "maybe"}, "FSC_DEMO_LOGIN must be"),
        (GOOD | {"FSC_DEFAULT_LANGUAGE": "de"}, "FSC_DEFAULT_LANGUAGE"),
        (GOOD | {"FSC_DB_POOL_MIN": "5", "FSC_DB_POOL_MAX": "2"}, "FSC_DB_POOL_MAX"),
        (GOOD | {"FSC_VAPID_PRIVATE_KEY": PRIVATE}, "must be set together"),
        (GOOD | VAPID | {"FSC_VAPID_PRIVATE_KEY": OTHER_PRIVATE}, "does not belong to the private key"),
        (GOOD | VAPID | {"FSC_VAPID_PRIVATE_KEY": "not-a-key"}, "FSC_VAPID_PRIVATE_KEY"),
        (GOOD | VAPID | {"FSC_VAPID_SUBJECT": ""}, "FSC_VAPID_SUBJECT must be"),
        (GOOD | {"FSC_PUSH_CONCURRENCY": "0"}, "FSC_PUSH_CONCURRENCY"),
        (GOOD | {"FSC_PUSH_HOSTS": "fcm.googleapis.com,169.254.169.254"}, "'169.254.169.254' is not a host name"),
        (GOOD | {"FSC_PUSH_HOSTS": "localhost:0"}, "'localhost:0' has no valid port"),
        (GOOD | {"FSC_PUSH_HOSTS": " , "}, "FSC_PUSH_HOSTS names no push service"),
        (GOOD | {"FSC_PUSH_ALLOW_LOCALHOST": "1", "FSC_COOKIE_SECURE": "1"},
         "FSC_PUSH_ALLOW_LOCALHOST is for development"),
        (GOOD | {"FSC_PUSH_MAX_ATTEMPTS": "0"}, "FSC_PUSH_MAX_ATTEMPTS"),
        (GOOD | {"FSC_PUSH_MAX_DEVICES": "0"}, "FSC_PUSH_MAX_DEVICES"),
    ],
)
def test_bad_settings_raise_one_clear_line(env, message):
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_exits_non_zero_with_one_line_when_a_setting_is_missing():
    env = {"PATH": "/usr/bin:/bin", "FSC_CPR_KEY": "c" * 40}
    result = subprocess.run([sys.executable, "-m", "backend.cli", "migrate"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "fsc: error: FSC_SECRET_KEY is required but not set (see .env.example)"


def test_dev_environment_adds_a_vapid_key_pair_to_existing_dev_secrets(tmp_path, monkeypatch):
    from backend import cli

    for name in ("FSC_SECRET_KEY", "FSC_CPR_KEY", "FSC_WAREHOUSE_SECRET", "FSC_VAPID_PRIVATE_KEY",
                 "FSC_VAPID_PUBLIC_KEY", "FSC_VAPID_SUBJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FSC_DATA_DIR", str(tmp_path))
    (tmp_path / "dev-secrets.env").write_text(f"FSC_SECRET_KEY={'k' * 40}\n", encoding="utf-8")
    env = cli._dev_environment()
    settings = load_settings(env)
    assert settings.push_enabled and settings.secret_key == "k" * 40
    assert cli._dev_environment()["FSC_VAPID_PRIVATE_KEY"] == env["FSC_VAPID_PRIVATE_KEY"]  # generated once


def test_production_refuses_the_demo_login_insecure_cookies_and_localhost_push_one_line_each():
    env = {"PATH": "/usr/bin:/bin", "FSC_SECRET_KEY": "s" * 40, "FSC_CPR_KEY": "c" * 40,
           "FSC_WAREHOUSE_SECRET": "w" * 40, "FSC_ENV": "production", "FSC_DEMO_LOGIN": "1",
           "FSC_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = subprocess.run([sys.executable, "-m", "backend.cli", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any("FSC_DEMO_LOGIN=0" in line for line in lines), lines
    assert any("FSC_COOKIE_SECURE=1" in line for line in lines), lines
    assert all(line.startswith("fsc: error: FSC_ENV=production") for line in lines), lines
def test_session_timeouts_default_per_kind_and_idle_stays_within_the_lifetime():
    settings = load_settings(GOOD)
    assert (settings.citizen_idle_minutes, settings.citizen_session_hours) == (120, 12)
    assert (settings.remember_idle_days, settings.remember_session_days) == (30, 90)
    assert (settings.staff_idle_minutes, settings.staff_session_hours) == (30, 10)
    for bad in ({"FSC_STAFF_IDLE_MINUTES": "0"}, {"FSC_CITIZEN_SESSION_HOURS": "0"},
                {"FSC_STAFF_IDLE_MINUTES": "601"}, {"FSC_REMEMBER_IDLE_DAYS": "91"}):
        with pytest.raises(SettingsError) as raised:
            load_settings(GOOD | bad)
        assert "\n" not in str(raised.value) and "FSC_" in str(raised.value)
    assert load_settings(GOOD | {"FSC_REMEMBER_IDLE_DAYS": "90"}).remember_idle_days == 90


@pytest.mark.parametrize("env, message", [
    ({"FSC_OIDC_MIN_LOA": "medium"}, "FSC_OIDC_MIN_LOA"),
    ({"FSC_OIDC_ISSUER": "ftp://idp.example"}, "FSC_OIDC_ISSUER"),
    ({"FSC_OIDC_ISSUER": "https://idp.example"}, "FSC_OIDC_CLIENT_ID"),
    ({"FSC_STAFF_OIDC_ISSUER": "https://idp.example", "FSC_STAFF_OIDC_CLIENT_ID": "x",
      "FSC_STAFF_OIDC_SCOPES": "profile"}, "openid"),
    ({"FSC_PUBLIC_URL": "fsc.example"}, "FSC_PUBLIC_URL"),
])
def test_login_settings_are_checked_at_start(env, message):
    """These checks once sat after a return statement and never ran (found during the issue 18 merge)."""
    with pytest.raises(SettingsError, match=message):
        load_settings(GOOD | env)
