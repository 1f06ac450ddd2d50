"""The one way a workflow calls an activity: through its typed reference (a stub in ``contracts``), with the options
the contract declares for it (queue, timeout per attempt, the bounded retry policy)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.activity import options_of

A = TypeVar("A")
R = TypeVar("R")


async def call(activity: Callable[[A], Awaitable[R]], arg: A) -> R:
    """Run the activity with its argument and wait for its result (typed by the stub)."""
    return await workflow.execute_activity(activity, arg, **options_of(activity))
