"""Fault tests run the relay as a real process against the real broker, and stop the broker for real."""
