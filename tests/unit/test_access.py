"""The access kinds against the request state (the matrix test covers them through real requests;
"person" has no route yet, so it is checked here on its own)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from backend.auth.sessions import SESSION_COOKIE
from backend.intake.problems import ApiProblem
from backend.web.access import KINDS, access_guard

CITIZEN = object()
PERSON = object()
ADVISOR = SimpleNamespace(role="advisor")
SUPERVISOR = SimpleNamespace(role="supervisor")


def connection(cookies: dict[str, str] | None = None, **state) -> SimpleNamespace:
    return SimpleNamespace(scope={"method": "GET", "path_template": "/x", "state": state}, cookies=cookies or {},
                           headers={})


def handler(kind) -> SimpleNamespace:
    return SimpleNamespace(opt={} if kind is None else {"access": kind}, handler_name="h", paths={"/x"})


async def outcome(kind, conn) -> str:
    try:
        await access_guard(conn, handler(kind))
    except NotAuthorizedException:
        return "login"
    except PermissionDeniedException:
        return "403"
    except ApiProblem as problem:  # "api": no key here (tests/integration/test_grant_intake_api.py has keys)
        return str(problem.status_code)
    return "ok"


CASES = {
    # state                                      public partner api person citizen staff supervisor
    "nobody": (connection(), ("ok", "ok", "401", "login", "login", "login", "login")),
    "person without citizen record": (connection(person=PERSON), ("ok", "ok", "401", "ok", "login", "login", "login")),
    "citizen": (connection({SESSION_COOKIE: "t"}, viewer=CITIZEN), ("ok", "ok", "401", "ok", "ok", "403", "403")),
    "citizen cookie, session gone": (connection({SESSION_COOKIE: "t"}),
                                     ("ok", "ok", "401", "login", "login", "403", "403")),
    "advisor": (connection(staff=ADVISOR), ("ok", "ok", "401", "login", "login", "ok", "403")),
    "supervisor": (connection(staff=SUPERVISOR), ("ok", "ok", "401", "login", "login", "ok", "ok")),
}


@pytest.mark.parametrize("who", CASES)
async def test_each_kind_lets_in_exactly_whom_it_names(who):
    conn, expected = CASES[who]
    assert KINDS == ("public", "partner", "api", "person", "citizen", "staff", "supervisor")
    assert tuple([await outcome(kind, conn) for kind in KINDS]) == expected


@pytest.mark.parametrize("kind", [None, "", "citizens", "Public", ["public"], {"access": "public"}])
async def test_a_missing_or_unknown_declaration_is_refused_even_for_a_supervisor(kind):
    assert await outcome(kind, connection(staff=SUPERVISOR)) == "403"
    assert await outcome(kind, connection()) == "403"
