"""The one way a workflow calls an activity: through its typed reference (a stub in ``contracts``), with the options
the contract declares for it (queue, timeout per attempt, the bounded retry policy).

When the bounded retries of an infrastructure error are used up in a workflow that asks people
(``workflows.human_task.HumanTasks``), the step is not given up: the workflow asks the Organization Board
(``StallHandler.on_stall``: a ``process_stalled`` task), which has it run again with the same bounded policy, or stops
the process. A domain refusal (non-retryable), a portal task activity, or a workflow without human tasks fails as
before (``contracts.stalls``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from contracts.activity import name_of, options_of
    from contracts.stalls import stalled_by_infrastructure

A = TypeVar("A")
R = TypeVar("R")


@dataclass(frozen=True)
class Stall:
    """A step whose bounded retries are used up: which activity, its last failure, since when, how often."""

    activity: str
    error: ActivityError
    since: datetime
    stalls: int


@runtime_checkable
class StallHandler(Protocol):
    """A workflow that asks the Board what to do with a stalled step (returns: run it again; raises: stop)."""

    async def on_stall(self, stall: Stall) -> None: ...


async def call(activity: Callable[[A], Awaitable[R]], arg: A) -> R:
    """Run the activity with its argument and wait for its result (typed by the stub)."""
    since, stalls = workflow.now(), 0
    while True:
        try:
            return await workflow.execute_activity(activity, arg, **options_of(activity))
        except ActivityError as error:
            owner = workflow.instance()
            name = name_of(activity)
            if not isinstance(owner, StallHandler) or not stalled_by_infrastructure(name, error):
                raise
            stalls += 1
            await owner.on_stall(Stall(name, error, since, stalls))
