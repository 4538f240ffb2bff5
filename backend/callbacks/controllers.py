"""Every controller of the callback capability (the citizen's pages and the staff console's), for create_app."""

from backend.callbacks.call_routes import CallController
from backend.callbacks.capacity_routes import CapacityController
from backend.callbacks.inbound_routes import InboundCallController
from backend.callbacks.phone_orders import PhoneOrderController
from backend.callbacks.queue_routes import QueueController
from backend.callbacks.reports import ReportsController
from backend.callbacks.routes import CallbackController

CALLBACK_CONTROLLERS = (CallbackController, QueueController, CallController, PhoneOrderController,
                        InboundCallController, CapacityController, ReportsController)
