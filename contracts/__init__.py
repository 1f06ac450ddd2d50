"""Contracts shared by the services and the workflows (typed, free of I/O)."""
