"""Connect only to public addresses: the push sender's DNS resolver drops every other address.

An allowed push service's name could still point somewhere inside (a poisoned or rebinding DNS
answer, an operator's typo in FSC_PUSH_HOSTS). Checking the name's addresses before the request
is not enough: the connection would resolve again and might get another answer. So the check
sits in the resolver the aiohttp connector itself uses: the addresses it returns are the only
ones connected to. Refused are loopback, private, link-local, CGNAT (100.64/10), unspecified,
multicast, reserved and documentation ranges, also when wrapped in IPv6 (::ffff:10.0.0.5,
64:ff9b::10.0.0.5, 2002:a00:5::). With FSC_PUSH_ALLOW_LOCALHOST a ``localhost`` name may reach
loopback (a local push service in development and tests); nothing else changes.
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from backend.push.endpoints import is_localhost

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(OSError):
    """The name resolves to no address we may connect to; no connection was made."""


def _unwrapped(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, or the IPv4 address an IPv6 address carries (mapped, NAT64, 6to4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])   # fe80::1%eth0: scope ids are not part of the address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def is_public(address: str) -> bool:
    ip = _unwrapped(address)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_unspecified or ip.is_private)


def is_loopback(address: str) -> bool:
    return _unwrapped(address).is_loopback


class PublicAddressResolver(AbstractResolver):
    """Wraps aiohttp's default resolver and keeps only the addresses we may connect to."""

    def __init__(self, allow_localhost: bool = False, inner: AbstractResolver | None = None) -> None:
        self.allow_localhost = allow_localhost
        self._inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        loopback_ok = self.allow_localhost and is_localhost(host.lower().rstrip("."))
        kept = [a for a in answers if is_public(a["host"]) or (loopback_ok and is_loopback(a["host"]))]
        if not kept:
            raise BlockedAddress(f"{host} resolves to no public address")
        return kept

    async def close(self) -> None:
        await self._inner.close()
