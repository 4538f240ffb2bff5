"""Fælles Service Center staff console (/fsc/…): staff accounts and sessions, the callback queue,
the call view, capacity settings and the access log. Separate from citizen sessions."""
