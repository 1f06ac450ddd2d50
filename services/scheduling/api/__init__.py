"""Scheduling's HTTP routes, by use case (thin: parse, authorise, call the service, shape the answer)."""
