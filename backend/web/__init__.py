"""Web layer shared by all areas: templating, request context, security headers, errors."""
