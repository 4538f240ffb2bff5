"""Demo data for development, demonstrations and tests."""
