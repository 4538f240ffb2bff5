"""Database access: connection pool, embedded PostgreSQL for development, migrations."""
