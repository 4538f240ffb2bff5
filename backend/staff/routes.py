"""All staff console controllers, for create_app."""

from backend.staff.attention_routes import AttentionController
from backend.staff.authority_routes import AuthorityContactsController
from backend.staff.auth_routes import StaffAuthController
from backend.staff.call_routes import CallController
from backend.staff.phone_orders import PhoneOrderController
from backend.staff.capacity_routes import CapacityController
from backend.staff.member_routes import StaffMembersController
from backend.staff.oidc_routes import StaffOidcController
from backend.staff.queue_routes import QueueController
from backend.staff.reports import ReportsController
from backend.reports.routes import PayerReportsController

STAFF_CONTROLLERS = (StaffAuthController, QueueController, CallController, PhoneOrderController, CapacityController,
                     ReportsController, AttentionController, StaffMembersController,
                     StaffOidcController, AuthorityContactsController, PayerReportsController)
