"""Activity options for selection's activities, and small deterministic helpers shared by its workflows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow

from contracts import queues
from contracts.timing import MIN_TASK_SECONDS, activity_options

SELECTION_OPTS: dict[str, Any] = activity_options(queues.SELECTION)


def seconds_until(iso: str) -> int:
    """Whole seconds from the workflow's now until an ISO instant (0 when past)."""
    remaining = datetime.fromisoformat(iso) - workflow.now()
    return max(0, int(remaining.total_seconds()))


def task_window(iso: str) -> int:
    """A task's due time: until the step's deadline, at least an hour."""
    return max(MIN_TASK_SECONDS, seconds_until(iso))
