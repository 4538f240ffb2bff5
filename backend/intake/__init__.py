"""Grant intake: municipal case systems and hospital discharge put grants in (API and CSV)."""
