"""The class status machine: planned → enrolling → running → completed, or cancelled before running."""

from __future__ import annotations

PLANNED, ENROLLING, RUNNING, COMPLETED, CANCELLED = "planned", "enrolling", "running", "completed", "cancelled"
STATUSES = (PLANNED, ENROLLING, RUNNING, COMPLETED, CANCELLED)
_NEXT = {
    PLANNED: frozenset({ENROLLING, CANCELLED}),
    ENROLLING: frozenset({RUNNING, CANCELLED}),
    RUNNING: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}


def can_transition(old: str, new: str) -> bool:
    """Whether a class may go from one status to another."""
    return new in _NEXT.get(old, frozenset())


def accepts_enrolment(status: str, enrolment_closed: bool) -> bool:
    """Whether people can still be enrolled (or waitlisted) in a class."""
    return status in (PLANNED, ENROLLING) and not enrolment_closed
