"""Advisory callbacks: citizens book a call with an FSC nurse; the schedule and its rules."""
