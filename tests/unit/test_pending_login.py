"""The signed cookie that carries a login under way: it must come back unchanged, in time, for its purpose."""

from __future__ import annotations

import time

import msgspec

from backend.auth import pending_login
from backend.auth.oidc import new_pkce_pair
from tests.conftest import make_settings

SETTINGS = make_settings()


def test_round_trip() -> None:
    pending = pending_login.new_pending("verifier", "/orders")
    assert pending_login.unpack(SETTINGS, "citizen", pending_login.pack(SETTINGS, "citizen", pending)) == pending


def test_tampered_foreign_expired_or_odd_values_are_refused() -> None:
    pending = pending_login.new_pending("verifier", "/")
    value = pending_login.pack(SETTINGS, "citizen", pending)
    body, signature = value.split(".")
    forged_body = pending_login._b64(msgspec.json.encode(msgspec.structs.replace(pending, next="//evil.example")))
    other_secret = make_settings(secret_key="another-secret-key-0123456789abcdefghijklmnop")
    expired = msgspec.structs.replace(pending, expires=int(time.time()) - 1)
    for bad in (None, "", "no-dot", f"{forged_body}.{signature}", value[:-2] + "xx", value + ".x", "æ.ø",
                "a" * 3000, pending_login.pack(SETTINGS, "staff", pending),
                pending_login.pack(SETTINGS, "citizen", expired)):
        assert pending_login.unpack(SETTINGS, "citizen", bad) is None, bad
    assert pending_login.unpack(other_secret, "citizen", value) is None


def test_pkce_challenge_is_s256_of_the_verifier() -> None:
    import base64
    import hashlib

    verifier, challenge = new_pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert challenge == base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
