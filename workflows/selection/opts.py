"""Small deterministic helpers shared by the selection workflows."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

from contracts.timing import MIN_TASK_SECONDS


def seconds_until(iso: str) -> int:
    """Whole seconds from the workflow's now until an ISO instant (0 when past)."""
    remaining = datetime.fromisoformat(iso) - workflow.now()
    return max(0, int(remaining.total_seconds()))


def task_window(iso: str) -> int:
    """A task's due time: until the step's deadline, at least an hour."""
    return max(MIN_TASK_SECONDS, seconds_until(iso))
