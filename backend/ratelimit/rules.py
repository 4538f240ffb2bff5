"""Pure rules of the rate limits: the limit settings' format, the rules, and who the client is.

A limit is written ``<count>/<window>`` with the window in seconds, minutes or hours (``30/1m``,
``10/1h``); a rule's setting holds two, per client and per account (``30/1m,10/10m``); ``off``
in either place switches that half off.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass

_LIMIT = re.compile(r"^([0-9]{1,9})/([0-9]{1,6})([smh])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}
MAX_WINDOW_S = 86_400

# The limited actions. Each has a setting ``rate_limit_<rule>`` (backend/settings.py).
RULES = ("login", "order_check", "callbacks", "push_subscribe", "push_renew", "warehouse", "power_code",
         "grant_intake")


class LimitSpecError(ValueError):
    """A limit setting is malformed; the message says what is expected."""


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int


@dataclass(frozen=True)
class RuleLimits:
    client: Limit | None
    account: Limit | None


def parse_limit(text: str) -> Limit | None:
    text = text.strip().lower()
    if text == "off":
        return None
    match = _LIMIT.match(text)
    if not match:
        raise LimitSpecError(f"{text!r} is not <count>/<window> like 30/1m, 10/1h or off")
    count, window_s = int(match[1]), int(match[2]) * _UNIT_S[match[3]]
    if count < 1 or not 1 <= window_s <= MAX_WINDOW_S:
        raise LimitSpecError(f"{text!r}: the count must be at least 1 and the window 1 s to 24 h")
    return Limit(count, window_s)


def parse_rule(text: str) -> RuleLimits:
    """``"<per client>,<per account>"``, e.g. ``"30/1m,10/10m"``."""
    parts = text.split(",")
    if len(parts) != 2:
        raise LimitSpecError(f"{text!r} must be two limits, per client and per account, like 30/1m,10/10m")
    return RuleLimits(parse_limit(parts[0]), parse_limit(parts[1]))


def retry_after_s(seconds_left: float) -> int:
    """Whole seconds for the Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(seconds_left))


# -- who the client is ------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks (``10.0.0.0/8, ::1``); raises ValueError."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:1234"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]):
    """The client's address: the connecting peer, unless the peer is a trusted proxy; then the
    X-Forwarded-For hops are read from the right (the last proxy appended the address it saw),
    skipping trusted proxies, and the first other address is the client. Entries to its left
    were written by the client itself and are never believed. ``None`` when nothing is known."""
    address = _address(peer) if peer else None
    if address is None or not trusted:
        return address
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    while any(address in network for network in trusted) and hops:
        hop = _address(hops.pop())
        if hop is None:  # a malformed hop: keep the last address we could trust
            break
        address = hop
    return address


def client_key(address) -> str:
    """The key of a client address. An IPv6 client is limited by its /64 (one household or phone
    is given a whole /64, so single addresses would be free to change)."""
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
