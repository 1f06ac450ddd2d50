"""Scheduling's pure rules (no I/O, no framework): seats and waitlist, date overlap, quota allocation,
result scoring and the class status machine."""
