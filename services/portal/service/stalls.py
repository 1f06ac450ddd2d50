"""Workflows past their deadline without progress, read from the deadlines they keep in the inbox.

Every wait of a workflow on a person is a task with a due time (the review's due days, a marking deadline, a
committee vote). A workflow is *stalled* when one of its tasks is still undecided ``stalled_after_seconds`` after
its due time and no task of that workflow was decided since that due time: nobody moved it on, reminders and
escalations notwithstanding. The portal's gauge refresher exports the count by workflow type as
``cadre_workflows_stalled``; the alert CadreWorkflowStalled reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from services.portal.models import COMPLETED, Task
from shared.context import ServiceContext
from shared.metrics import WORKFLOWS_STALLED
from shared.timestamps import as_utc


async def stalled_workflows(ctx: ServiceContext, *, after_seconds: float,
                            now: datetime | None = None) -> dict[str, list[str]]:
    """Workflow type → the ids of its stalled workflows."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=after_seconds)
    async with ctx.sessions() as session:
        late = (await session.execute(
            select(Task.workflow_id, Task.workflow_type, func.min(Task.due_at))
            .where(Task.status != COMPLETED, Task.due_at <= cutoff)
            .group_by(Task.workflow_id, Task.workflow_type))).all()
        if not late:
            return {}
        ids = [w for w, _, _ in late]
        decided = dict((await session.execute(
            select(Task.workflow_id, func.max(Task.completed_at))
            .where(Task.workflow_id.in_(ids), Task.status == COMPLETED).group_by(Task.workflow_id))).all())
    out: dict[str, list[str]] = {}
    for workflow_id, workflow_type, due in late:
        last = decided.get(workflow_id)
        if last is None or as_utc(last) < as_utc(due):
            out.setdefault(str(workflow_type), []).append(str(workflow_id))
    return out


async def refresh_stalled(ctx: ServiceContext, *, after_seconds: float) -> dict[str, list[str]]:
    """Recount and set the gauge: every workflow type with an undecided task shows, 0 when none is stalled (a zero
    baseline); a type with no undecided task drops out."""
    found = await stalled_workflows(ctx, after_seconds=after_seconds)
    async with ctx.sessions() as session:
        waiting = (await session.execute(select(Task.workflow_type).where(Task.status != COMPLETED)
                                         .distinct())).scalars().all()
    WORKFLOWS_STALLED.clear()
    for workflow_type in waiting:
        WORKFLOWS_STALLED.labels(str(workflow_type)).set(0)
    for workflow_type, ids in found.items():
        WORKFLOWS_STALLED.labels(workflow_type).set(len(ids))
    return found
