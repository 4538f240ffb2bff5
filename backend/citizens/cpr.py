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


def birth_year(cpr: str) -> int:
    """The year of birth from the CPR's date part and the century digit (the 7th); raise ValueError.

    7th digit 0–3: 1900s; 4 and 9: 2000s up to year 36, else 1900s; 5–8: 2000s up to year 57,
    else 1800s (the CPR office's rule). Kept as ``citizen.birth_year`` so the CPR need not be.
    """
    digits = normalise_cpr(cpr)
    year, century_digit = int(digits[4:6]), int(digits[6])
    if century_digit <= 3:
        return 1900 + year
    if century_digit in (4, 9):
        return (2000 if year <= 36 else 1900) + year
    return (2000 if year <= 57 else 1800) + year
