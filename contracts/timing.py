"""The durations workflows and their callers agree on: how long a person has for a task, and how an activity is
timed and retried.

A task is due in 3 days and escalated 2 days after that, unless its process says otherwise (the registration review
reads ``Settings.review_due_seconds`` / ``review_grace_seconds``, whose defaults are these). Every activity call
uses ``activity_options``: its queue, a timeout per attempt and the one bounded retry policy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

from contracts import queues
from contracts.errors import NON_RETRYABLE_TYPES

DAY_SECONDS = 24 * 3600
TASK_DUE_SECONDS = 3 * DAY_SECONDS  # a person's time for a task before the reminder
TASK_GRACE_SECONDS = 2 * DAY_SECONDS  # after the reminder, before the task is escalated
MIN_TASK_SECONDS = 3600  # a task derived from a deadline gets at least an hour

# 1 s, 2 s, 4 s … capped at 60 s: 30 attempts span about 25 minutes of an outage before the workflow fails (and
# CadreWorkflowFailures fires); a deterministic error is never retried at all (non_retryable, and its types listed)
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                             maximum_interval=timedelta(seconds=60), maximum_attempts=30,
                             non_retryable_error_types=list(NON_RETRYABLE_TYPES))

# a timeout per attempt: the short calls (file or close a task, apply one decision) 30 s, the others 60 s
_SECONDS = {queues.PORTAL: 30, queues.REGISTRATION: 30, queues.SCHEDULING: 60, queues.SELECTION: 60}


def activity_options(task_queue: str, *, seconds: int | None = None) -> dict[str, Any]:
    """The options of every activity call: its queue, a timeout per attempt and the bounded retry policy."""
    timeout = seconds if seconds is not None else _SECONDS.get(task_queue, 60)
    return {"task_queue": task_queue, "start_to_close_timeout": timedelta(seconds=timeout),
            "retry_policy": ACTIVITY_RETRY}
