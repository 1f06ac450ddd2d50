"""The portal's activities on the `portal` task queue: file, remind/escalate and close human tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from temporalio.exceptions import ApplicationError

from contracts import human_tasks as contract
from contracts.activity import implements
from contracts.human_tasks import CloseTaskInput, CreateTaskInput, CreateTasksInput, TaskOverdueInput
from contracts.tasks import DossierInvalid
from services.portal.adapters.people import Directory
from services.portal.models import Task
from services.portal.service.assignment import can_stand_in
from services.portal.service.workflow_tasks import close_task, create_task, find_task, record_overdue
from shared.context import ServiceContext
from shared.temporal_errors import maps_domain_errors
from shared.uow import unit_of_work


class PortalActivities:
    """Activities with their dependencies injected."""

    def __init__(self, ctx: ServiceContext, directory: Directory | None = None) -> None:
        self.ctx = ctx
        self.directory = directory or Directory()  # nobody known: a substitute never takes a task over

    @implements(contract.create_task)
    @maps_domain_errors
    async def create_task(self, inp: CreateTaskInput) -> str:
        """File the task; a retry (same workflow id + task key) gets the same task id."""
        return (await self._file([inp]))[0]

    @implements(contract.create_tasks)
    @maps_domain_errors
    async def create_tasks(self, inp: CreateTasksInput) -> list[str]:
        """File a workflow's tasks in one unit of work; a retry gets the same ids."""
        return await self._file(inp.tasks)

    async def _file(self, inputs: list[CreateTaskInput]) -> list[str]:
        """The tasks' ids, filed in one unit of work. Should another filing of one of them commit first (a duplicate
        key), each is filed on its own; a single one already filed gives back its id."""
        try:
            async with unit_of_work(self.ctx) as uow:
                return [(await create_task(uow, inp=one, stand_in_ok=self._stand_in_ok))[0].id for one in inputs]
        except DossierInvalid as exc:  # a workflow's bug, not a passing fault: retrying files nothing better
            raise ApplicationError(str(exc), type="task_dossier_invalid", non_retryable=True) from exc
        except IntegrityError:
            if len(inputs) > 1:
                return [(await self._file([one]))[0] for one in inputs]
            async with unit_of_work(self.ctx) as uow:
                found = await find_task(uow, workflow_id=inputs[0].workflow_id, task_key=inputs[0].request.task_key)
                if found is None:
                    raise
                return [found.id]

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, for the worker."""
        return [self.create_task, self.create_tasks, self.task_overdue, self.close_task]

    def _stand_in_ok(self, delegate: str, task: Task) -> bool:
        return can_stand_in(self.directory.find(delegate), task)

    @implements(contract.task_overdue)
    @maps_domain_errors
    async def task_overdue(self, inp: TaskOverdueInput) -> None:
        """Remind or escalate an overdue task (a repeat changes nothing)."""
        async with unit_of_work(self.ctx) as uow:
            await record_overdue(uow, inp=inp)

    @implements(contract.close_task)
    @maps_domain_errors
    async def close_task(self, inp: CloseTaskInput) -> None:
        """Close the task with its decision and write the portal's audit record (once)."""
        async with unit_of_work(self.ctx) as uow:
            await close_task(uow, inp=inp)
