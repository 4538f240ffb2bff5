"""Fælles Bestilling: citizen ordering app for the joint Danish procurement of ostomy products."""
