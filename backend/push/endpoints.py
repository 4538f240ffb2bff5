"""Which push service addresses we accept and send to (a guard against server-side request forgery).

A subscription's endpoint comes from the browser, that is from anyone with a login. Unchecked,
the worker would POST to whatever it names: 127.0.0.1, the cloud metadata address, a database
port inside our network. So an endpoint must be an https URL on a host of the allow-list
(``FSC_PUSH_HOSTS``, by default the browsers' push services), on the default port unless the
allow-list entry names one, without user:password and without an IP address for a host. The
same check runs when a subscription is stored and again before every send (rows stored by an
older release). Where an allowed name then points is checked when connecting
(``backend.push.resolver``).

``FSC_PUSH_ALLOW_LOCALHOST`` (development and tests only) lets a push service on this machine be
used: a ``localhost`` name may then use plain http, and only such a name may reach a loopback
address. It never opens private or link-local addresses.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from urllib.parse import urlsplit

import msgspec
from yarl import URL

MAX_ENDPOINT_LENGTH = 1024
DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# ASCII names only, and the last label starts with a letter: "10.0.0.5" or "0x7f000001" (which
# resolvers read as 127.0.0.1) are not names.
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$)(?:{_LABEL}\.)*[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?$")
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class PushHostsError(ValueError):
    """FSC_PUSH_HOSTS is malformed; the message is one line for the operator."""


class Refusal(enum.Enum):
    MALFORMED = "not a plain https URL"            # scheme, user:password, port syntax, odd characters
    UNKNOWN_SERVICE = "not an allowed push service"  # a host (or port) outside FSC_PUSH_HOSTS


class HostRule(msgspec.Struct, frozen=True):
    """One allow-list entry: ``name``, ``*.name`` (any name below it) and optionally ``:port``."""

    name: str
    wildcard: bool = False
    port: int | None = None   # None: only the scheme's default port

    def matches(self, host: str, scheme: str, port: int) -> bool:
        named = host.endswith("." + self.name) if self.wildcard else host == self.name
        return named and port == (self.port or DEFAULT_PORTS[scheme])


def is_localhost(host: str) -> bool:
    """Names that always mean this machine (RFC 6761)."""
    return host == "localhost" or host.endswith(".localhost")


def parse_push_hosts(text: str) -> tuple[HostRule, ...]:
    rules = []
    for raw in text.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        name, _, port_text = entry.partition(":")
        wildcard = name.startswith("*.")
        name = name.removeprefix("*.")
        if not _HOST_NAME.fullmatch(name):
            raise PushHostsError(f"FSC_PUSH_HOSTS: {raw.strip()!r} is not a host name (an IP address is not allowed)")
        port = None
        if port_text:
            if not (port_text.isascii() and port_text.isdigit()) or len(port_text) > 5 or not 1 <= int(port_text) <= 65535:
                raise PushHostsError(f"FSC_PUSH_HOSTS: {raw.strip()!r} has no valid port")
            port = int(port_text)
        rules.append(HostRule(name, wildcard, port))
    if not rules:
        raise PushHostsError("FSC_PUSH_HOSTS names no push service")
    return tuple(rules)


class EndpointPolicy(msgspec.Struct, frozen=True):
    rules: tuple[HostRule, ...]
    allow_localhost: bool = False

    @classmethod
    def from_settings(cls, settings) -> EndpointPolicy:  # noqa: ANN001 - backend.settings.Settings (import cycle)
        return _policy(settings.push_hosts, settings.push_allow_localhost)

    def refusal(self, endpoint: str) -> Refusal | None:
        """Why we must not send to ``endpoint``, or None when it is an allowed push service's URL."""
        if len(endpoint) > MAX_ENDPOINT_LENGTH or _UNSAFE_CHARS.search(endpoint):
            return Refusal.MALFORMED
        try:
            parts = urlsplit(endpoint)
            host, port = parts.hostname or "", parts.port
            parsed = URL(endpoint)   # what aiohttp will connect to must be what we checked
        except ValueError:
            return Refusal.MALFORMED
        if "@" in parts.netloc or parts.scheme not in DEFAULT_PORTS or not host:
            return Refusal.MALFORMED
        if parts.scheme == "http" and not (self.allow_localhost and is_localhost(host)):
            return Refusal.MALFORMED
        if _is_ip_address(host):
            return Refusal.UNKNOWN_SERVICE
        port = DEFAULT_PORTS[parts.scheme] if port is None else port
        if parsed.raw_host != host or parsed.port != port:
            return Refusal.MALFORMED
        if not _HOST_NAME.fullmatch(host):
            return Refusal.UNKNOWN_SERVICE
        if not any(rule.matches(host, parts.scheme, port) for rule in self.rules):
            return Refusal.UNKNOWN_SERVICE
        return None


@functools.lru_cache(maxsize=8)
def _policy(push_hosts: str, allow_localhost: bool) -> EndpointPolicy:
    return EndpointPolicy(parse_push_hosts(push_hosts), allow_localhost)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
