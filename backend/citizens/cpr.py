"""CPR numbers are never stored in clear: we keep a keyed hash for lookup only."""

from __future__ import annotations

import hashlib
import hmac
import re

_CPR = re.compile(r"^([0-9]{6})-?([0-9]{4})$")


def normalise_cpr(cpr: str) -> str:
    """Return the 10 digits of a CPR number given as DDMMYYXXXX or DDMMYY-XXXX; raise ValueError."""
    match = _CPR.match(cpr.strip())
    if not match:
        raise ValueError("not a CPR number")
    return match[1] + match[2]


def cpr_hash(cpr_key: str, cpr: str) -> bytes:
    """HMAC-SHA256 of the normalised CPR number with the deployment's secret key."""
    return hmac.new(cpr_key.encode(), normalise_cpr(cpr).encode(), hashlib.sha256).digest()
