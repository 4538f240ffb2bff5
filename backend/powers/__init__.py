"""Power of attorney (fuldmagt): a citizen lets a helper (a relative) act for them, with scopes."""
