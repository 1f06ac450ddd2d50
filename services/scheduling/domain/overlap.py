"""No person in two classes whose dates overlap."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Span:
    """A class's dates (both inclusive) and how to name it."""

    class_id: str
    class_code: str
    start: date
    end: date


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share a day."""
    return a_start <= b_end and b_start <= a_end


def first_overlap(new: Span, others: Iterable[Span]) -> Span | None:
    """The earliest other class (excluding the new one itself) whose dates overlap the new class's."""
    clashes = [o for o in others if o.class_id != new.class_id and overlaps(new.start, new.end, o.start, o.end)]
    return min(clashes, key=lambda o: (o.start, o.class_code)) if clashes else None
