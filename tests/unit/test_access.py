"""The access kinds against the request state (the matrix test covers them through real requests;
"person" has no route yet, so it is checked here on its own)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from backend.auth.sessions import SESSION_COOKIE
from backend.web.access import KINDS, access_guard

CITIZEN = object()
PERSON = object()
ADVISOR = SimpleNamespace(role="advisor")
SUPERVISOR = SimpleNamespace(role="supervisor")
CASEWORKER = SimpleNamespace(role="caseworker", authority_id=1)


def connection(cookies: dict[str, str] | None = None, **state) -> SimpleNamespace:
    return SimpleNamespace(scope={"method": "GET", "path_template": "/x", "state": state}, cookies=cookies or {})


def handler(kind) -> SimpleNamespace:
    return SimpleNamespace(opt={} if kind is None else {"access": kind}, handler_name="h", paths={"/x"})


async def outcome(kind, conn) -> str:
    try:
        await access_guard(conn, handler(kind))
    except NotAuthorizedException:
        return "login"
    except PermissionDeniedException:
        return "403"
    return "ok"


CASES = {
    # state                     public partner person citizen staff reports supervisor caseworker
    "nobody": (connection(), ("ok", "ok", "login", "login", "login", "login", "login", "login")),
    "person without citizen record": (connection(person=PERSON),
                                      ("ok", "ok", "ok", "login", "login", "login", "login", "login")),
    "citizen": (connection({SESSION_COOKIE: "t"}, viewer=CITIZEN), ("ok", "ok", "ok", "ok", "403", "403", "403", "403")),
    "citizen cookie, session gone": (connection({SESSION_COOKIE: "t"}),
                                     ("ok", "ok", "login", "login", "403", "403", "403", "403")),
    # The reports for payers are for supervisors and caseworkers, not for advisors.
    "advisor": (connection(staff=ADVISOR), ("ok", "ok", "login", "login", "ok", "403", "403", "403")),
    "supervisor": (connection(staff=SUPERVISOR), ("ok", "ok", "login", "login", "ok", "ok", "ok", "403")),
    # A caseworker is the authority's staff, not FSC's: the advisor pages ("staff") refuse them.
    "caseworker": (connection(staff=CASEWORKER), ("ok", "ok", "login", "login", "403", "ok", "403", "ok")),
}


@pytest.mark.parametrize("who", CASES)
async def test_each_kind_lets_in_exactly_whom_it_names(who):
    conn, expected = CASES[who]
    assert KINDS == ("public", "partner", "person", "citizen", "staff", "reports", "supervisor", "caseworker")
    assert tuple([await outcome(kind, conn) for kind in KINDS]) == expected


@pytest.mark.parametrize("kind", [None, "", "citizens", "Public", ["public"], {"access": "public"}])
async def test_a_missing_or_unknown_declaration_is_refused_even_for_a_supervisor(kind):
    assert await outcome(kind, connection(staff=SUPERVISOR)) == "403"
    assert await outcome(kind, connection()) == "403"
