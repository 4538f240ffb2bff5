"""Rate limits shared by every web process through PostgreSQL (429 with Retry-After)."""
