"""Only the push services are reached: the endpoint allow-list and the resolver's address filter."""

from __future__ import annotations

import socket

import pytest
from aiohttp.abc import AbstractResolver

from backend.push.endpoints import EndpointPolicy, HostRule, Refusal, parse_push_hosts
from backend.push.resolver import BlockedAddress, PublicAddressResolver, is_public
from backend.settings import DEFAULT_PUSH_HOSTS

BROWSERS = EndpointPolicy(parse_push_hosts(DEFAULT_PUSH_HOSTS))
LOCAL = EndpointPolicy(parse_push_hosts(DEFAULT_PUSH_HOSTS + ",localhost:8443"), allow_localhost=True)


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH",
    "https://FCM.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:443/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAD",
])
def test_the_browsers_push_services_are_accepted(endpoint):
    assert BROWSERS.refusal(endpoint) is None


@pytest.mark.parametrize(("endpoint", "refusal"), [
    ("https://127.0.0.1/push", Refusal.UNKNOWN_SERVICE),
    ("https://localhost/push", Refusal.UNKNOWN_SERVICE),
    ("https://169.254.169.254/latest/meta-data/", Refusal.UNKNOWN_SERVICE),
    ("https://10.0.0.5:6379/", Refusal.UNKNOWN_SERVICE),
    ("https://[::1]/push", Refusal.UNKNOWN_SERVICE),
    ("https://0x7f000001/push", Refusal.UNKNOWN_SERVICE),
    ("https://push.services.mozilla.com/x", Refusal.UNKNOWN_SERVICE),          # the wildcard needs a name below
    ("https://fcm.googleapis.com.evil.example/x", Refusal.UNKNOWN_SERVICE),
    ("https://evilfcm.googleapis.com/x", Refusal.UNKNOWN_SERVICE),
    ("https://fcm.googleapis.com:8443/x", Refusal.UNKNOWN_SERVICE),           # only the default port
    ("https://fcm.googleapis.com./x", Refusal.UNKNOWN_SERVICE),
    ("https://user:secret@fcm.googleapis.com/x", Refusal.MALFORMED),
    ("https://fcm.googleapis.com@10.0.0.5/x", Refusal.MALFORMED),
    ("https://fcm.googleapis.com\\@10.0.0.5/x", Refusal.MALFORMED),
    ("http://fcm.googleapis.com/x", Refusal.MALFORMED),
    ("ftp://fcm.googleapis.com/x", Refusal.MALFORMED),
    ("https://fcm.googleapis.com:99999/x", Refusal.MALFORMED),
    ("https://fcm.googleapis.com/a b", Refusal.MALFORMED),
    ("https://fcm.googleapis.com/" + "a" * 1024, Refusal.MALFORMED),
    ("https://fcm.googleäpis.com/x", Refusal.MALFORMED),
    ("https:///x", Refusal.MALFORMED),
])
def test_other_addresses_are_refused(endpoint, refusal):
    assert BROWSERS.refusal(endpoint) is refusal


def test_a_local_push_service_only_with_the_allowance_and_its_named_port():
    assert LOCAL.refusal("http://localhost:8443/push/a") is None
    assert LOCAL.refusal("https://localhost:8443/push/a") is None
    assert LOCAL.refusal("http://localhost:8444/push/a") is Refusal.UNKNOWN_SERVICE
    assert LOCAL.refusal("http://127.0.0.1:8443/push/a") is Refusal.MALFORMED          # http only for localhost
    assert LOCAL.refusal("http://fcm.googleapis.com/x") is Refusal.MALFORMED
    without = EndpointPolicy(LOCAL.rules)
    assert without.refusal("http://localhost:8443/push/a") is Refusal.MALFORMED
    assert without.refusal("https://localhost:8443/push/a") is None   # then the resolver refuses 127.0.0.1


def test_allow_list_entries():
    assert parse_push_hosts(" FCM.googleapis.com , *.push.apple.com,localhost:8443,") == (
        HostRule("fcm.googleapis.com"), HostRule("push.apple.com", wildcard=True), HostRule("localhost", port=8443))


@pytest.mark.parametrize(("address", "public"), [
    ("142.250.74.42", True), ("2a00:1450:400f:80d::200a", True),
    ("::ffff:142.250.74.42", True), ("64:ff9b::8efa:4a2a", True),
    ("127.0.0.1", False), ("127.1.2.3", False), ("::1", False),
    ("10.0.0.5", False), ("172.16.0.1", False), ("192.168.1.1", False), ("fc00::1", False), ("fd12::1", False),
    ("169.254.169.254", False), ("fe80::1", False), ("fe80::1%eth0", False),
    ("100.64.0.1", False), ("0.0.0.0", False), ("::", False),
    ("224.0.0.1", False), ("239.255.255.250", False), ("ff02::1", False),
    ("240.0.0.1", False), ("255.255.255.255", False), ("192.0.2.1", False), ("2001:db8::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.5", False), ("::ffff:169.254.169.254", False),
    ("64:ff9b::a00:5", False), ("2002:a00:5::1", False), ("::7f00:1", False),
])
def test_only_public_addresses(address, public):
    assert is_public(address) is public


class FixedAnswers(AbstractResolver):
    """Plays DNS: every name resolves to the given addresses."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.closed = False

    async def resolve(self, host, port=0, family=socket.AF_INET):
        return [{"hostname": host, "host": a, "port": port, "family": socket.AF_INET6 if ":" in a else socket.AF_INET,
                 "proto": 0, "flags": 0} for a in self.addresses]

    async def close(self):
        self.closed = True


async def test_the_resolver_returns_only_what_may_be_connected_to():
    mixed = PublicAddressResolver(inner=FixedAnswers("10.0.0.5", "142.250.74.42", "::ffff:127.0.0.1"))
    assert [a["host"] for a in await mixed.resolve("fcm.googleapis.com", 443)] == ["142.250.74.42"]
    rebound = PublicAddressResolver(inner=FixedAnswers("169.254.169.254"))
    with pytest.raises(BlockedAddress):
        await rebound.resolve("fcm.googleapis.com", 443)
    loopback = FixedAnswers("127.0.0.1", "::1")
    with pytest.raises(BlockedAddress):   # no allowance
        await PublicAddressResolver(inner=loopback).resolve("localhost", 8443)
    allowed = PublicAddressResolver(allow_localhost=True, inner=loopback)
    assert [a["host"] for a in await allowed.resolve("localhost", 8443)] == ["127.0.0.1", "::1"]
    with pytest.raises(BlockedAddress):   # the allowance is for localhost names only
        await allowed.resolve("fcm.googleapis.com", 443)
    with pytest.raises(BlockedAddress):   # and for loopback only
        await PublicAddressResolver(allow_localhost=True, inner=FixedAnswers("10.0.0.5")).resolve("localhost", 1)
    await allowed.close()
    assert loopback.closed
