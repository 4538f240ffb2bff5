"""The access kinds against the request state (the matrix test covers them through real requests;
"person" has no route yet, so it is checked here on its own)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from backend.auth.sessions import SESSION_COOKIE
from backend.auth.models import SignedInPerson, Viewer
from backend.intake.problems import ApiProblem
from backend.web.access import KINDS, SCOPES, HelperRefused, access_guard

CITIZEN = Viewer(b"h", 1, "Karen", "da")
PERSON = SignedInPerson(b"h", 7, None, "Sofie", True)
ADVISOR = SimpleNamespace(role="advisor")
SUPERVISOR = SimpleNamespace(role="supervisor")
CASEWORKER = SimpleNamespace(role="caseworker", authority_id=1)


def connection(cookies: dict[str, str] | None = None, **state) -> SimpleNamespace:
    return SimpleNamespace(scope={"method": "GET", "path_template": "/x", "state": state}, cookies=cookies or {},
                           headers={})


def handler(kind, scope=None) -> SimpleNamespace:
    opt = {} if kind is None else {"access": kind}
    return SimpleNamespace(opt=opt | ({"scope": scope} if scope else {}), handler_name="h", paths={"/x"})


async def outcome(kind, conn, scope=None) -> str:
    try:
        await access_guard(conn, handler(kind, scope))
    except NotAuthorizedException:
        return "login"
    except PermissionDeniedException:
        return "403"
    except ApiProblem as problem:  # "api": no key here (tests/integration/test_grant_intake_api.py has keys)
        return str(problem.status_code)
    return "ok"


CASES = {
    # state         public partner api person citizen staff reports supervisor_or_caseworker supervisor caseworker
    "nobody": (connection(), ("ok", "ok", "401", "login", "login", "login", "login", "login", "login", "login")),
    "person without citizen record": (connection(person=PERSON),
                                      ("ok", "ok", "401", "ok", "login", "login", "login", "login", "login", "login")),
    "citizen": (connection({SESSION_COOKIE: "t"}, viewer=CITIZEN),
                ("ok", "ok", "401", "ok", "ok", "403", "403", "403", "403", "403")),
    "citizen cookie, session gone": (connection({SESSION_COOKIE: "t"}),
                                     ("ok", "ok", "401", "login", "login", "403", "403", "403", "403", "403")),
    # The reports for payers and the grant upload are for supervisors and caseworkers, not for advisors.
    "advisor": (connection(staff=ADVISOR), ("ok", "ok", "401", "login", "login", "ok", "403", "403", "403", "403")),
    "supervisor": (connection(staff=SUPERVISOR), ("ok", "ok", "401", "login", "login", "ok", "ok", "ok", "ok", "403")),
    # A caseworker is the authority's staff, not FSC's: the advisor pages ("staff") refuse them.
    "caseworker": (connection(staff=CASEWORKER), ("ok", "ok", "401", "login", "login", "403", "ok", "ok", "403", "ok")),
}


@pytest.mark.parametrize("who", CASES)
async def test_each_kind_lets_in_exactly_whom_it_names(who):
    conn, expected = CASES[who]
    assert KINDS == ("public", "partner", "api", "person", "citizen", "staff", "reports", "supervisor_or_caseworker",
                     "supervisor", "caseworker")
    assert tuple([await outcome(kind, conn) for kind in KINDS]) == expected


@pytest.mark.parametrize("kind", [None, "", "citizens", "Public", ["public"], {"access": "public"}])
async def test_a_missing_or_unknown_declaration_is_refused_even_for_a_supervisor(kind):
    assert await outcome(kind, connection(staff=SUPERVISOR)) == "403"
    assert await outcome(kind, connection()) == "403"


def helper(*scopes: str) -> Viewer:
    return Viewer(b"h", 1, "Karen", "", actor_kind="relative", actor_id=7, scopes=frozenset(scopes))


@pytest.mark.parametrize("scope", SCOPES)
async def test_a_helper_passes_only_routes_that_allow_a_scope_of_theirs(scope):
    conn = connection({SESSION_COOKIE: "t"}, viewer=helper(scope), person=PERSON)
    assert [await outcome("citizen", conn, s) for s in SCOPES] == ["ok" if s == scope else "403" for s in SCOPES]
    assert await outcome("citizen", conn) == "403"  # no scope declared: the citizen themself only
    assert await outcome("person", conn) == "ok"
    # The citizen themself passes every citizen route, with or without a scope.
    own = connection({SESSION_COOKIE: "t"}, viewer=CITIZEN)
    assert await outcome("citizen", own, scope) == await outcome("citizen", own) == "ok"


async def test_a_session_acting_under_an_ended_power_is_refused_with_its_own_reason():
    ended = SignedInPerson(b"h", 7, None, "Sofie", True, power_ended=True)
    with pytest.raises(HelperRefused) as refused:
        await access_guard(connection({SESSION_COOKIE: "t"}, person=ended), handler("citizen", "view"))
    assert refused.value.ended


@pytest.mark.parametrize("opt", [{"access": "citizen", "scope": "admin"}, {"access": "person", "scope": "view"},
                                 {"access": "citizen", "scope": ["view"]}])
async def test_an_unknown_scope_or_a_scope_outside_citizen_routes_is_no_declaration(opt):
    bad = SimpleNamespace(opt=opt, handler_name="h", paths={"/x"})
    with pytest.raises(PermissionDeniedException):
        await access_guard(connection(viewer=CITIZEN), bad)
