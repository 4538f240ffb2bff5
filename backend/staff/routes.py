"""The staff console's own controllers (accounts, sessions, members, contacts, orders to follow up), for create_app.

The callback capability (queue, call view, capacity, reports) lives in backend/callbacks/ and the
citizen look-up in backend/citizens/; both build on backend/staff (guards, sessions, the access
log), never the other way round (tests/unit/test_import_cycles.py).
"""

from backend.staff.attention_routes import AttentionController
from backend.staff.authority_routes import AuthorityContactsController
from backend.staff.auth_routes import StaffAuthController
from backend.staff.member_routes import StaffMembersController
from backend.staff.oidc_routes import StaffOidcController

STAFF_CONTROLLERS = (StaffAuthController, AttentionController, StaffMembersController,
                     StaffOidcController, AuthorityContactsController)
