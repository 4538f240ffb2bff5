"""HMAC-SHA256 request signatures shared by the app and the warehouse partner (both directions).

The sender signs ``f"{timestamp}.".encode() + body`` with the shared secret and sends

    X-FSC-Timestamp: 1767225600            (Unix seconds, UTC)
    X-FSC-Signature: v1=<64 lowercase hex digits>

The receiver recomputes the signature over the exact bytes it received, compares in constant
time, and refuses timestamps outside the replay window. Key rotation: the receiver accepts a
signature made with any of its secrets (new and old during a change-over); the sender signs with
the first. The header may carry several ``v1=`` entries separated by commas; any match is enough.
Replays inside the window are stopped one level up (event ids, idempotent pick lists).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from typing import Literal

TIMESTAMP_HEADER = "X-FSC-Timestamp"
SIGNATURE_HEADER = "X-FSC-Signature"
SCHEME = "v1"
WINDOW_S = 300
"""How old a signed request may be (seconds) before it is refused as stale."""
SKEW_S = 60
"""How far a timestamp may lie in the future (clock skew between partners), in seconds."""

Reason = Literal["missing", "malformed", "stale", "future", "mismatch"]
Secrets = bytes | str | Sequence[bytes | str]


class SignatureError(Exception):
    """A request's signature is missing, malformed, outside the time window or wrong."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


def _as_bytes(secret: bytes | str) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _secret_list(secrets: Secrets) -> list[bytes]:
    items = [secrets] if isinstance(secrets, bytes | str) else list(secrets)
    keys = [_as_bytes(item) for item in items]
    if not keys or any(not key for key in keys):
        raise ValueError("at least one non-empty secret is needed")
    return keys


def sign(secret: bytes | str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body``."""
    return hmac.new(_as_bytes(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_headers(secrets: Secrets, body: bytes, now: float | None = None) -> dict[str, str]:
    """The two headers for a request with this body, signed with the first (current) secret."""
    timestamp = int(time.time() if now is None else now)
    signature = sign(_secret_list(secrets)[0], timestamp, body)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"{SCHEME}={signature}"}


def _parse_timestamp(timestamp: str | None) -> int:
    if timestamp is None or not timestamp.strip():
        raise SignatureError("missing", f"the {TIMESTAMP_HEADER} header is missing")
    text = timestamp.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise SignatureError("malformed", f"the {TIMESTAMP_HEADER} header must be Unix seconds")
    return int(text)


def _parse_signatures(signature: str | None) -> list[str]:
    if signature is None or not signature.strip():
        raise SignatureError("missing", f"the {SIGNATURE_HEADER} header is missing")
    found: list[str] = []
    for part in signature.split(","):
        scheme, sep, value = part.strip().partition("=")
        if sep and scheme == SCHEME:
            value = value.strip().lower()
            if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
                raise SignatureError("malformed", f"the {SIGNATURE_HEADER} value must be {SCHEME}=<64 hex digits>")
            found.append(value)
    if not found:
        raise SignatureError("malformed", f"the {SIGNATURE_HEADER} header has no {SCHEME}= signature")
    return found


def verify(
    secrets: Secrets,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
    window_s: int = WINDOW_S,
    skew_s: int = SKEW_S,
) -> None:
    """Check the header values against the body; raise SignatureError(reason) when they fail."""
    keys = _secret_list(secrets)
    signed_at = _parse_timestamp(timestamp)
    candidates = _parse_signatures(signature)
    current = time.time() if now is None else now
    if signed_at < current - window_s:
        raise SignatureError("stale", f"the request was signed more than {window_s} seconds ago")
    if signed_at > current + skew_s:
        raise SignatureError("future", f"the request is signed more than {skew_s} seconds in the future")
    matched = False
    for key in keys:  # no early exit: the time taken does not depend on which key matched
        expected = sign(key, signed_at, body)
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("mismatch", "the signature does not match the body")


def verify_headers(
    secrets: Secrets,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    window_s: int = WINDOW_S,
) -> None:
    """``verify`` with the values taken from a header mapping (names matched case-insensitively)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    verify(
        secrets,
        lowered.get(TIMESTAMP_HEADER.lower()),
        lowered.get(SIGNATURE_HEADER.lower()),
        body,
        now=now,
        window_s=window_s,
    )
