"""Operators' view of the inbox: open and overdue tasks by kind and group, oldest open age (no person ids)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, or_, select

from services.portal.models import COMPLETED, Task
from services.portal.service.stalls import refresh_stalled
from shared.context import ServiceContext
from shared.logging import get_logger
from shared.metrics import TASK_OLDEST_OPEN_AGE, TASKS_OPEN, TASKS_OVERDUE
from shared.periodic import periodic_lifespan
from shared.timestamps import as_utc

log = get_logger(__name__)


async def refresh(ctx: ServiceContext) -> dict[tuple[str, str], tuple[int, int]]:
    """Recount open tasks from the database and set the gauges; returns (open, overdue) per (kind, group)."""
    now = datetime.now(UTC)
    late = func.sum(case((or_(Task.overdue.is_(True), Task.due_at < now), 1), else_=0))
    async with ctx.sessions() as session:
        rows = (await session.execute(
            select(Task.kind, Task.candidate_group, func.count(), late, func.min(Task.created_at))
            .where(Task.status != COMPLETED).group_by(Task.kind, Task.candidate_group))).all()
    for gauge in (TASKS_OPEN, TASKS_OVERDUE, TASK_OLDEST_OPEN_AGE):
        gauge.clear()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for kind, group, count, overdue, oldest in rows:
        TASKS_OPEN.labels(kind, group).set(count)
        TASKS_OVERDUE.labels(kind, group).set(int(overdue or 0))
        if oldest is not None:
            TASK_OLDEST_OPEN_AGE.labels(kind, group).set((now - as_utc(oldest)).total_seconds())
        out[(str(kind), str(group))] = (int(count), int(overdue or 0))
    return out


def refresher() -> Any:
    """A router lifespan that keeps the gauges fresh while the API runs (the app carries ctx and settings)."""

    def setup(app: Any) -> tuple[Callable[[], Awaitable[None]], float]:
        ctx: ServiceContext = app.state.ctx
        stalled_after = float(app.state.portal_settings.stalled_after_seconds)

        async def step() -> None:
            await refresh(ctx)
            await refresh_stalled(ctx, after_seconds=stalled_after)

        return step, float(app.state.portal_settings.metrics_refresh_seconds)

    return periodic_lifespan(setup, failure_event="task_gauges_refresh_failed")
