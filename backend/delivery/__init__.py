"""Delivery settings: leave-at-door permission, driver note, pickup point, temporary addresses."""
