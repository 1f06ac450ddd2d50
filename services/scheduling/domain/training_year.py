"""The year a class's training counts for: the year of the plan it implements, else the year it ends — never the
day its completion happens to be recorded."""

from __future__ import annotations

from datetime import date


def training_year(*, plan_year: int | None, end_date: date) -> int:
    """The plan's year when the class implements one, else its end date's year."""
    return plan_year if plan_year is not None else end_date.year
