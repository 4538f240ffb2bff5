"""Grants (bevillinger): what a citizen may order, and how much is left this period."""
