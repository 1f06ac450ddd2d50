"""The portal's pure rules (no I/O): the check of a decision form before it is confirmed and signed."""
