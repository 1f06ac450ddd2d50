"""Settling tasks left ``completing``: the portal commits ``completing`` before it sends the Update, so a crash of
the portal, the worker or the whole stack in between leaves a task that nobody may complete or release.

On start-up and every ``reconcile_every_seconds`` the reconciler takes each task ``completing`` for longer than
``completing_grace_seconds`` and asks its workflow (the ``task_state`` query of workflows.human_task):
- the workflow accepted a decision → the task is closed with that decision by the same ``close_task`` the
  workflow's activity runs (one audit record, one TaskCompleted event; whichever comes second changes nothing);
- the workflow is still waiting, or no longer knows the task (finished, or not found) → the task is reopened, as
  the in-process abort would have done, and may be completed again;
- the workflow cannot be asked (Temporal or the worker down) → the task is left for the next pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from contracts.human_tasks import TASK_STATE_QUERY, CloseTaskInput, TaskState
from services.portal.models import COMPLETING, OPEN, Task
from services.portal.service.workflow_tasks import close_task
from shared.context import ServiceContext
from shared.logging import get_logger
from shared.metrics import TASK_RECONCILIATIONS
from shared.periodic import periodic_lifespan
from shared.timestamps import as_utc
from shared.uow import unit_of_work

log = get_logger(__name__)
GONE = TaskState("unknown")  # the workflow is not there any more: nothing will decide the task through it


class TaskStates(Protocol):
    """How the reconciler asks a workflow about one of its tasks (raises when it cannot be asked now)."""

    async def ask(self, *, workflow_id: str, run_id: str, task_key: str) -> TaskState: ...


class TemporalTaskStates:
    """Asks through the ``task_state`` query: first the workflow's current run (the one the Update went to), then,
    when that run does not know the task, the run that filed it."""

    def __init__(self, connect: Callable[[], Awaitable[Client]]) -> None:
        self._connect = connect

    async def ask(self, *, workflow_id: str, run_id: str, task_key: str) -> TaskState:
        client = await self._connect()
        state = await self._query(client, workflow_id, None, task_key)
        if state.state == "unknown" and run_id:
            state = await self._query(client, workflow_id, run_id, task_key)
        return state

    @staticmethod
    async def _query(client: Client, workflow_id: str, run_id: str | None, task_key: str) -> TaskState:
        try:
            return await client.get_workflow_handle(workflow_id, run_id=run_id).query(
                TASK_STATE_QUERY, task_key, result_type=TaskState)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return GONE
            raise


@dataclass
class Reconciled:
    """What one pass did, by task id."""

    completed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


async def reconcile(ctx: ServiceContext, states: TaskStates, *, grace_seconds: float,
                    now: datetime | None = None) -> Reconciled:
    """One pass over the tasks ``completing`` for longer than the grace period."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=grace_seconds)
    async with ctx.sessions() as session:
        stale = (await session.execute(
            select(Task.id, Task.workflow_id, Task.run_id, Task.task_key, Task.completing_since)
            .where(Task.status == COMPLETING,
                   or_(Task.completing_since.is_(None), Task.completing_since <= cutoff)))).all()
    done = Reconciled()
    for task_id, workflow_id, run_id, task_key, since in stale:
        try:
            state = await states.ask(workflow_id=workflow_id, run_id=run_id, task_key=task_key)
        except Exception as exc:  # Temporal or the worker not reachable: the next pass asks again
            log.warning("task_reconcile_deferred", task_id=task_id, workflow_id=workflow_id, error=repr(exc))
            done.left.append(task_id)
            continue
        if state.state == "decided" and state.decision is not None and state.decision.task_id == task_id:
            await _close(ctx, task_id, state)
            done.completed.append(task_id)
        elif state.state == "decided":
            log.error("task_reconcile_mismatch", task_id=task_id, workflow_id=workflow_id)
            done.left.append(task_id)
        elif await _reopen(ctx, task_id, since):
            done.reopened.append(task_id)
    for outcome in ("completed", "reopened", "left"):
        if n := len(getattr(done, outcome)):
            TASK_RECONCILIATIONS.labels(outcome).inc(n)
    return done


async def _close(ctx: ServiceContext, task_id: str, state: TaskState) -> None:
    assert state.decision is not None
    async with unit_of_work(ctx) as uow:
        closed = await close_task(uow, inp=CloseTaskInput(task_id, state.decision))
    log.info("task_reconciled", task_id=task_id, outcome="completed", closed_here=closed)


async def _reopen(ctx: ServiceContext, task_id: str, seen_since: datetime | None) -> bool:
    """Reopen the task unless it moved on since it was read (closed, or a new completion began)."""
    async with unit_of_work(ctx) as uow:
        task = await uow.session.get(Task, task_id, with_for_update=True, populate_existing=True)
        if task is None or task.status != COMPLETING or not _same(task.completing_since, seen_since):
            return False
        was_by = task.completing_by
        task.status, task.completing_by, task.completing_since = OPEN, None, None
    log.info("task_reconciled", task_id=task_id, outcome="reopened", completing_by=was_by)
    return True


def _same(a: datetime | None, b: datetime | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and as_utc(a) == as_utc(b))


def reconciling() -> Any:
    """A router lifespan: one pass at start-up, then one every ``reconcile_every_seconds`` (the app carries ctx,
    the portal's settings and the process's runtime with its Temporal handle)."""

    def setup(app: Any) -> tuple[Callable[[], Awaitable[Reconciled]], float]:
        ctx: ServiceContext = app.state.ctx
        portal = app.state.portal_settings
        states = TemporalTaskStates(app.state.runtime.temporal.client)

        def step() -> Awaitable[Reconciled]:
            return reconcile(ctx, states, grace_seconds=portal.completing_grace_seconds)

        return step, float(portal.reconcile_every_seconds)

    return periodic_lifespan(setup, failure_event="task_reconcile_failed")
