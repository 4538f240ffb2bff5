"""Public information pages: the accessibility statement and the privacy page."""
