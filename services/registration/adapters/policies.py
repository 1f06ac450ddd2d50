"""The policy book, read once per process on first use (never at import)."""

from __future__ import annotations

from datetime import date
from functools import cache

from shared.policy import PolicyBook, PolicyVersion, load_policy_book


@cache
def book() -> PolicyBook:
    """Every shipped rule version."""
    return load_policy_book()


def in_force(rule_key: str, on: date) -> PolicyVersion:
    """The version of a rule in force on a date."""
    return book().in_force(rule_key, on)
