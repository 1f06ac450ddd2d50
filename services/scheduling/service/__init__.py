"""Scheduling's domain operations, by use case; each runs inside a unit of work it is handed."""
