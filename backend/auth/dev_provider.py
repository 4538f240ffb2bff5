"""The OpenID provider that ``fsc dev`` runs next to the demo login (the ``oidc-provider-mock`` package).

Its authorize page lists made-up people to log in as, with the claims a MitID broker (NemLog-in) and
an organisation's provider would send: CPR number, name and NSIS assurance level for citizens, e-mail
and groups for staff. Any other subject typed on that page has no CPR number and is refused.
The same provider serves both logins, under two client ids.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from backend.seed.demo import MAIN_DEMO_CPR, NEW_STOMA_CPR
from backend.seed.helpers import HELPER_DEMO_CPR, HELPER_DEMO_NAME
from backend.settings import Settings

CPR = "https://data.gov.dk/model/core/eid/cprNumber"
NAME = "https://data.gov.dk/model/core/eid/fullName"
LOA = "https://data.gov.dk/concept/core/nsis/loa"

DEV_USERS = (
    {"sub": "karen-jensen-substantial", CPR: MAIN_DEMO_CPR, NAME: "Karen Jensen", LOA: "Substantial"},
    {"sub": "karen-jensen-low", CPR: MAIN_DEMO_CPR, NAME: "Karen Jensen", LOA: "Low"},
    {"sub": "mette-laursen-high", CPR: NEW_STOMA_CPR, NAME: "Mette Laursen", LOA: "High"},
    {"sub": "nina-new-no-grants", CPR: "0101901234", NAME: "Nina Nybegynder", LOA: "Substantial"},
    # A helper-only person (no grants): Karen's daughter, with a demo power of attorney for Karen.
    {"sub": "sofie-jensen-helper", CPR: HELPER_DEMO_CPR, NAME: HELPER_DEMO_NAME, LOA: "Substantial"},
    {"sub": "staff-advisor", "email": "ida.advisor@fsc.example", "name": "Ida Rådgiver", "groups": ["fsc-advisors"]},
    {"sub": "staff-supervisor", "email": "ole.supervisor@fsc.example", "name": "Ole Supervisor",
     "groups": ["fsc-supervisors"]},
    {"sub": "staff-no-group", "email": "kim.canteen@fsc.example", "name": "Kim Kantine", "groups": ["all-staff"]},
    {"sub": "staff-caseworker", "email": "aase.sagsbehandler@aarhus.example", "name": "Aase Sagsbehandler",
     "groups": ["fsc-caseworker"], "authority_code": "751"},
)


def available() -> bool:
    return importlib.util.find_spec("oidc_provider_mock") is not None


def command(port: int) -> list[str]:
    users = [arg for user in DEV_USERS for arg in ("--user-claims", json.dumps(user))]
    return [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
            "--require-nonce", *users]


def environment(settings: Settings, port: int) -> dict[str, str]:
    """FSC_* settings that point both logins at the development provider (unless set already)."""
    issuer = f"http://127.0.0.1:{port}"
    values = {}
    if not settings.oidc_issuer:
        values |= {"FSC_OIDC_ISSUER": issuer, "FSC_OIDC_CLIENT_ID": "fsc-dev-citizens",
                   "FSC_OIDC_CLIENT_SECRET": "dev-only"}
    if not settings.staff_oidc_issuer:
        values |= {"FSC_STAFF_OIDC_ISSUER": issuer, "FSC_STAFF_OIDC_CLIENT_ID": "fsc-dev-staff",
                   "FSC_STAFF_OIDC_CLIENT_SECRET": "dev-only"}
    return values
