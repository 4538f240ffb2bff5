"""Orders (bestillinger): one-tap reorder, custom orders, cancellation, history."""
