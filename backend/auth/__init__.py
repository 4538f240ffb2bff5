"""Authentication: server-side sessions in PostgreSQL, demo login for development."""
