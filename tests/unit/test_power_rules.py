"""Pure rules of powers of attorney: scopes, the read-aloud code, the hashes, the outbox owner."""

from __future__ import annotations

import pytest

from backend.powers.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PowerRefused,
    helper_name,
    keyed_hash,
    new_code,
    normalise_code,
    parse_scopes,
    shown_code,
)
from backend.web.templating import outbox_owner


def test_scopes_are_canonical_and_acting_brings_seeing_along():
    assert parse_scopes(["order"]) == ("view", "order")
    assert parse_scopes("notifications") == ("notifications",)
    assert parse_scopes(["delivery", "view", "callbacks", "view"]) == ("view", "callbacks", "delivery")


@pytest.mark.parametrize("raw", [None, [], ["everything"], ["view", "VIEW"], ["view", ""]])
def test_unknown_or_missing_scopes_are_refused(raw):
    with pytest.raises(PowerRefused):
        parse_scopes(raw)


def test_codes_are_long_unambiguous_and_forgiving_to_type():
    assert not set("0O1IL2Z5S8BG6") & set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** CODE_LENGTH > 10 ** 13
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    shown = shown_code(code)
    assert shown[5] == "-" and normalise_code(shown.lower()) == code
    assert normalise_code(" " + shown[:3] + " " + shown[3:] + " ") == code
    assert normalise_code("ACDEF-HJKM0") is None and normalise_code("ACDEF") is None and normalise_code("") is None


def test_hashes_are_keyed_and_separate_codes_from_tokens():
    assert keyed_hash("k1", "code", "X") != keyed_hash("k2", "code", "X")
    assert keyed_hash("k1", "code", "X") != keyed_hash("k1", "token", "X")


def test_helper_names_are_trimmed_and_bounded():
    assert helper_name("  Ole   Jensen ") == "Ole Jensen"
    for bad in ("", "   ", None, "x" * 101):
        with pytest.raises(PowerRefused):
            helper_name(bad)


def test_a_helpers_offline_orders_have_their_own_outbox_owner():
    assert outbox_owner("s", 7) == outbox_owner("s", 7, None)
    assert outbox_owner("s", 7, 3) != outbox_owner("s", 7) and outbox_owner("s", 7, 3) != outbox_owner("s", 7, 4)
