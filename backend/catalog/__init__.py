"""The shared product range (produktsortiment) across all authorities and product areas."""
