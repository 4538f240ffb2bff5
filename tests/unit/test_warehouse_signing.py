"""Request signatures: HMAC-SHA256 over timestamp and body, replay window, key rotation."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from backend.warehouse.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    sign,
    signature_headers,
    verify,
    verify_headers,
)

SECRET = b"warehouse-secret-0123456789abcdefghijklmnop"
OLD_SECRET = b"previous-secret-0123456789abcdefghijklmnopq"
BODY = b'{"order_id":1}'
NOW = 1_767_225_600


def test_sign_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == expected
    assert sign(SECRET.decode(), NOW, BODY) == expected


def test_signature_headers_round_trip():
    headers = signature_headers(SECRET, BODY, now=NOW)
    assert headers[TIMESTAMP_HEADER] == str(NOW)
    assert headers[SIGNATURE_HEADER] == f"v1={sign(SECRET, NOW, BODY)}"
    verify(SECRET, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], BODY, now=NOW + 10)
    lowered = {name.lower(): value for name, value in headers.items()}
    verify_headers(SECRET, lowered, BODY, now=NOW)


def test_key_rotation_signs_with_first_and_accepts_any():
    headers = signature_headers([SECRET, OLD_SECRET], BODY, now=NOW)
    assert headers[SIGNATURE_HEADER] == f"v1={sign(SECRET, NOW, BODY)}"
    old = signature_headers(OLD_SECRET, BODY, now=NOW)
    verify_headers([SECRET, OLD_SECRET], old, BODY, now=NOW)
    with pytest.raises(SignatureError) as info:
        verify_headers([SECRET], old, BODY, now=NOW)
    assert info.value.reason == "mismatch"


def test_several_signatures_in_one_header():
    good = sign(SECRET, NOW, BODY)
    verify(SECRET, str(NOW), f"v1={'0' * 64}, v1={good}", BODY, now=NOW)
    verify(SECRET, str(NOW), f"v0=abc,v1={good}", BODY, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "now", "reason"),
    [
        (None, "v1=" + "a" * 64, BODY, NOW, "missing"),
        (str(NOW), None, BODY, NOW, "missing"),
        ("", "v1=" + "a" * 64, BODY, NOW, "missing"),
        ("yesterday", "v1=" + "a" * 64, BODY, NOW, "malformed"),
        ("-5", "v1=" + "a" * 64, BODY, NOW, "malformed"),
        (str(NOW), "sha256=abc", BODY, NOW, "malformed"),
        (str(NOW), "v1=xyz", BODY, NOW, "malformed"),
        (str(NOW), "v1=" + "a" * 63, BODY, NOW, "malformed"),
        (str(NOW), "v1=" + "a" * 64, BODY, NOW, "mismatch"),
        (str(NOW), "SIGNED", BODY, NOW, "malformed"),
        (str(NOW), "v1=" + sign(SECRET, NOW, BODY), BODY, NOW + 301, "stale"),
        (str(NOW), "v1=" + sign(SECRET, NOW, BODY), BODY, NOW - 61, "future"),
        (str(NOW), "v1=" + sign(SECRET, NOW, BODY), BODY + b" ", NOW, "mismatch"),
        (str(NOW + 1), "v1=" + sign(SECRET, NOW, BODY), BODY, NOW, "mismatch"),
    ],
)
def test_rejections_name_their_reason(timestamp, signature, body, now, reason):
    with pytest.raises(SignatureError) as info:
        verify(SECRET, timestamp, signature, body, now=now)
    assert info.value.reason == reason
    assert str(info.value)


def test_window_edges_are_accepted():
    signature = "v1=" + sign(SECRET, NOW, BODY)
    verify(SECRET, str(NOW), signature, BODY, now=NOW + 300)
    verify(SECRET, str(NOW), signature, BODY, now=NOW - 60)
    verify(SECRET, str(NOW), signature.upper().replace("V1=", "v1="), BODY, now=NOW)


def test_a_custom_window():
    signature = "v1=" + sign(SECRET, NOW, BODY)
    with pytest.raises(SignatureError):
        verify(SECRET, str(NOW), signature, BODY, now=NOW + 31, window_s=30)


def test_empty_secret_list_is_a_programming_error():
    with pytest.raises(ValueError):
        signature_headers([], BODY)
    with pytest.raises(ValueError):
        verify([b""], str(NOW), "v1=" + "a" * 64, BODY, now=NOW)
