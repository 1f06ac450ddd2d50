"""Stand-in portal activities (same names as the real ones) for workflow tests on the time-skipping server:
they record what a workflow asked; the test plays the approver by sending the complete_task Update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from contracts.human_tasks import CloseTaskInput, CreateTaskInput, CreateTasksInput, TaskOverdueInput


@dataclass
class Portal:
    """Records every filed, overdue and closed task."""

    created: list[CreateTaskInput] = field(default_factory=list)
    overdue: list[TaskOverdueInput] = field(default_factory=list)
    closed: list[CloseTaskInput] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)  # how many tasks each create_tasks filed

    @activity.defn(name="portal.create_task")
    async def create_task(self, inp: CreateTaskInput) -> str:
        self.created.append(inp)
        return f"task-{len(self.created)}"

    @activity.defn(name="portal.create_tasks")
    async def create_tasks(self, inp: CreateTasksInput) -> list[str]:
        self.batches.append(len(inp.tasks))
        return [await self.create_task(one) for one in inp.tasks]

    @activity.defn(name="portal.task_overdue")
    async def task_overdue(self, inp: TaskOverdueInput) -> None:
        self.overdue.append(inp)

    @activity.defn(name="portal.close_task")
    async def close_task(self, inp: CloseTaskInput) -> None:
        self.closed.append(inp)

    async def filed(self, env: WorkflowEnvironment, count: int = 1, *,
                    step: timedelta = timedelta(seconds=5)) -> CreateTaskInput:
        """The count-th task filed, waiting on the time-skipping clock (400 steps at most) until it is."""
        for _ in range(400):
            if len(self.created) >= count:
                return self.created[count - 1]
            await env.sleep(step)
        raise AssertionError(f"only {len(self.created)} tasks filed: {[c.request.kind for c in self.created]}")

    def activities(self) -> list[Callable[..., Any]]:
        """The portal's activities, for a Worker on the `portal` task queue."""
        return [self.create_task, self.create_tasks, self.task_overdue, self.close_task]
