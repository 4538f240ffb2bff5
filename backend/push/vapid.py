"""VAPID (RFC 8292) keys and tokens: generate a key pair, check one, sign tokens cached per push service.

Keys are base64url without padding: the private key as the raw 32-byte scalar, the public key as
the 65-byte uncompressed P-256 point (what ``PushManager.subscribe`` takes as applicationServerKey).
"""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

TOKEN_LIFETIME_S = 12 * 3600       # push services accept at most 24 h
RENEW_BEFORE_S = 3600              # sign a new token when the cached one has less than this left


class VapidKeyError(ValueError):
    """A VAPID key is malformed or the two keys do not belong together."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_bytes(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def generate_key_pair() -> tuple[str, str]:
    """(private, public) as base64url strings, for FSC_VAPID_PRIVATE_KEY / FSC_VAPID_PUBLIC_KEY."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(private), b64url(public_key_bytes(key))


def private_key_from(text: str) -> ec.EllipticCurvePrivateKey:
    try:
        raw = b64url_decode(text.strip())
    except ValueError:
        raise VapidKeyError("not base64url") from None
    if len(raw) != 32:
        raise VapidKeyError("the private key must be 32 bytes (base64url, as `fsc vapid-keys` prints it)")
    try:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise VapidKeyError("not a valid P-256 private key") from None


def check_key_pair(private: str, public: str) -> None:
    """Raise VapidKeyError unless ``public`` is the public key of ``private``."""
    if b64url(public_key_bytes(private_key_from(private))) != public.strip().rstrip("="):
        raise VapidKeyError("the public key does not belong to the private key")


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class VapidSigner:
    """Authorization headers per push service origin, signed once and reused until near expiry
    (signing is an ECDSA operation; a push service sees thousands of requests per token)."""

    def __init__(self, private_key: str, subject: str) -> None:
        self._vapid = Vapid02(private_key_from(private_key))
        self._subject = subject
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}

    def headers(self, endpoint: str, now: float | None = None) -> dict[str, str]:
        now = time.time() if now is None else now
        origin = origin_of(endpoint)
        cached = self._cache.get(origin)
        if cached is not None and cached[0] - now > RENEW_BEFORE_S:
            return cached[1]
        expires = int(now) + TOKEN_LIFETIME_S
        headers = self._vapid.sign({"aud": origin, "sub": self._subject, "exp": expires})
        self._cache[origin] = (expires, headers)
        return headers
