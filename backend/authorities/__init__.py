"""Authorities (myndigheder): regions and municipalities, participation and go-live dates."""
