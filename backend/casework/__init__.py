"""Casework: the authorities' caseworkers and the citizens' product-change requests (issue 16 §4, §5)."""
