"""Activity options for selection's activities, and small deterministic helpers shared by its workflows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.selection.contracts import SELECTION_QUEUE

SELECTION_OPTS: dict[str, Any] = {
    "task_queue": SELECTION_QUEUE,
    "start_to_close_timeout": timedelta(seconds=60),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)),
}
MIN_TASK_SECONDS = 3600


def seconds_until(iso: str) -> int:
    """Whole seconds from the workflow's now until an ISO instant (0 when past)."""
    remaining = datetime.fromisoformat(iso) - workflow.now()
    return max(0, int(remaining.total_seconds()))


def task_window(iso: str) -> int:
    """A task's due time: until the step's deadline, at least an hour."""
    return max(MIN_TASK_SECONDS, seconds_until(iso))
