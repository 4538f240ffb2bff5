"""All power-of-attorney controllers, for create_app."""

from backend.powers.citizen_routes import HelpersController
from backend.powers.helper_routes import PowerAcceptController
from backend.powers.staff_routes import CitizenPowersController

routes = [HelpersController, PowerAcceptController, CitizenPowersController]
