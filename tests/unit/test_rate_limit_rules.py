"""The rate limits' pure rules: the settings' format and who the client is behind a proxy."""

from __future__ import annotations

import ipaddress

import pytest

from backend.ratelimit.rules import (
    Limit,
    LimitSpecError,
    client_address,
    client_key,
    parse_limit,
    parse_networks,
    parse_rule,
    retry_after_s,
)
from backend.settings import SettingsError
from tests.conftest import make_settings

PROXIES = parse_networks("10.0.0.0/8, 2001:db8:ffff::1")


def test_limits_are_count_per_window_or_off():
    assert parse_limit("30/1m") == Limit(30, 60)
    assert parse_limit(" 10/10M ") == Limit(10, 600)
    assert parse_limit("5/2h") == Limit(5, 7200)
    assert parse_limit("off") is None
    assert parse_rule("30/1m,off").account is None
    for bad in ("30", "30/1", "0/1m", "30/0s", "30/25h", "-1/1m", "30/1d", "３０/1m", "30/1m,10/1m,1/1s"):
        with pytest.raises(LimitSpecError):
            parse_rule(bad if "," in bad else f"{bad},off")


def test_settings_refuse_a_malformed_limit_or_proxy_with_one_line():
    with pytest.raises(SettingsError, match="FSC_RATE_LIMIT_LOGIN"):
        make_settings(rate_limit_login="lots")
    with pytest.raises(SettingsError, match="FSC_TRUSTED_PROXIES"):
        make_settings(trusted_proxies="proxy.internal")
    assert make_settings(trusted_proxies="10.0.0.0/8,::1").trusted_proxies


def test_retry_after_is_whole_seconds_rounded_up():
    assert [retry_after_s(s) for s in (0.0, 0.2, 1.0, 59.01, -3)] == [1, 1, 1, 60, 1]


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("192.0.2.1", ["203.0.113.9"], (), "192.0.2.1"),                        # off by default: header ignored
    ("192.0.2.1", ["203.0.113.9"], PROXIES, "192.0.2.1"),                   # the peer is no proxy of ours
    ("10.0.0.2", ["203.0.113.9"], PROXIES, "203.0.113.9"),
    ("10.0.0.2", ["1.1.1.1, 203.0.113.9"], PROXIES, "203.0.113.9"),        # the client's own entry is not believed
    ("10.0.0.2", ["203.0.113.9, 10.0.0.3"], PROXIES, "203.0.113.9"),       # two proxies of ours
    ("10.0.0.2", ["203.0.113.9", "10.9.9.9"], PROXIES, "203.0.113.9"),     # the header repeated
    ("10.0.0.2", [], PROXIES, "10.0.0.2"),
    ("10.0.0.2", ["not-an-address"], PROXIES, "10.0.0.2"),
    ("10.0.0.2", ["[2001:db8::5]:4711"], PROXIES, "2001:db8::5"),
    ("10.0.0.2", ["198.51.100.4:1234"], PROXIES, "198.51.100.4"),
    ("::ffff:192.0.2.7", [], (), "192.0.2.7"),
])
def test_client_address(peer, forwarded, trusted, expected):
    assert client_address(peer, forwarded, trusted) == ipaddress.ip_address(expected)


def test_client_key_groups_ipv6_by_its_64_and_names_the_unknown():
    assert client_key(ipaddress.ip_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_key(ipaddress.ip_address("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_key(ipaddress.ip_address("192.0.2.1")) == "192.0.2.1"
    assert client_key(client_address("testclient", [], ())) == "unknown"
