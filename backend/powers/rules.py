"""Pure rules of powers of attorney: scopes, the invitation code and link token, and their hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from backend.i18n import gettext as _
from backend.web.access import SCOPES

INVITATION_VALID = dt.timedelta(hours=72)

# Letters and digits nobody mixes up when reading aloud or typing (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6).
CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
CODE_LENGTH = 10
"""22^10 ≈ 2.7·10^13 codes: with the rate limit (per person and per client) a guesser gets at most a
few hundred tries a day, against at most some thousands of open invitations: hopeless."""

SCOPES_NEEDING_VIEW = frozenset({"order", "callbacks", "delivery"})
"""One cannot order, book or change deliveries without seeing the products and orders."""


class PowerRefused(Exception):
    """Bad input or a rule says no: ``message`` is translated for the person; nothing was written."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def scope_labels() -> dict[str, str]:
    return {
        "view": _("See products and orders"),
        "order": _("Order and cancel"),
        "callbacks": _("Book and move calls from FSC"),
        "delivery": _("Change delivery settings"),
        "notifications": _("Get the delivery notices on their own phone"),
    }


def parse_scopes(raw: list[str] | str | None) -> tuple[str, ...]:
    """The chosen scopes in canonical order; unknown names or none at all are refused.
    Ordering, booking or delivery changes bring "view" along."""
    chosen = [raw] if isinstance(raw, str) else list(raw or [])
    unknown = [name for name in chosen if name not in SCOPES]
    if unknown:
        raise PowerRefused(_("Choose what the helper may do from the list."))
    if not chosen:
        raise PowerRefused(_("Choose at least one thing the helper may do."))
    wanted = set(chosen) | ({"view"} if SCOPES_NEEDING_VIEW & set(chosen) else set())
    return tuple(scope for scope in SCOPES if scope in wanted)


def helper_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise PowerRefused(_("Write the helper's name."))
    if len(name) > 100:
        raise PowerRefused(_("The name can be at most 100 characters."))
    return name


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """Two groups of five, easy to read aloud: ``ACDEF-HJKMN``."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(raw: str) -> str | None:
    """What the helper typed, as stored: capitals, without spaces or dashes; None when it cannot be a code."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def new_token() -> str:
    return secrets.token_urlsafe(32)


def keyed_hash(secret_key: str, kind: str, value: str) -> bytes:
    """HMAC of a code or token with the deployment's secret: a leaked table gives no way to try codes offline."""
    return hmac.new(secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).digest()
