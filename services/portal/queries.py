"""Reading the inbox: my tasks (held by me, or claimable within my roles and unit scope), with totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.portal.models import COMPLETED, OPEN, Task, TaskCandidate
from services.portal.records import SUMMARY_COLUMNS, summary
from services.portal.schemas import TaskInbox
from shared.auth import Principal
from shared.authz import task_inbox_clause

Sort = Literal["due", "-due", "priority", "created", "-created"]
_ORDER: dict[str, tuple[Any, ...]] = {
    "due": (Task.due_at.asc(), Task.id), "-due": (Task.due_at.desc(), Task.id),
    "priority": (Task.priority.asc(), Task.due_at.asc(), Task.id),
    "created": (Task.created_at.asc(), Task.id), "-created": (Task.created_at.desc(), Task.id),
}


@dataclass(frozen=True)
class InboxFilter:
    """What the approver narrowed the inbox to."""

    kind: str | None = None
    campaign: str | None = None
    status: Literal["open", "completed", "all"] = "open"
    due_before: datetime | None = None
    overdue: bool | None = None
    sort: Sort = "due"
    limit: int = 50
    offset: int = 0


def visible(principal: Principal, status: str) -> Any:
    """Open tasks this principal may decide (the rules of shared.authz), or the tasks they decided.

    A task being completed (the Update in flight) leaves the inbox; close_task then marks it completed.
    """
    decidable = task_inbox_clause(
        principal, task_id=Task.id, assignee=Task.assignee, unit_scope=Task.unit_scope,
        excluded_users=Task.excluded_users, excluded_units=Task.excluded_units,
        subject_user_id=Task.subject_user_id, candidate_task_id=TaskCandidate.task_id,
        candidate_role=TaskCandidate.role, candidate_unit=TaskCandidate.unit_scope)
    open_mine = and_(Task.status == OPEN, decidable)
    decided = and_(Task.status == COMPLETED, Task.decided_by == principal.user_id)
    if status == "open":
        return open_mine
    if status == "completed":
        return decided
    return or_(open_mine, decided)


def _narrowed(principal: Principal, f: InboxFilter, *, with_kind: bool) -> list[Any]:
    now = datetime.now(UTC)
    conds = [visible(principal, f.status)]
    if f.kind and with_kind:
        conds.append(Task.kind == f.kind)
    if f.campaign:
        conds.append(Task.campaign == f.campaign)
    if f.due_before:
        conds.append(Task.due_at < f.due_before)
    if f.overdue is True:
        conds.append(or_(Task.overdue.is_(True), and_(Task.status != COMPLETED, Task.due_at < now)))
    elif f.overdue is False:
        conds.append(and_(Task.overdue.is_(False), Task.due_at >= now))
    return conds


async def inbox(session: AsyncSession, *, principal: Principal, f: InboxFilter) -> TaskInbox:
    """One page of the principal's inbox, the total, counts per kind and the overdue count."""
    columns = [getattr(Task, name) for name in SUMMARY_COLUMNS]
    rows = (await session.execute(
        select(*columns).where(*_narrowed(principal, f, with_kind=True)).order_by(*_ORDER[f.sort])
        .limit(f.limit).offset(f.offset))).all()
    now = datetime.now(UTC)
    late = func.sum(case((or_(Task.overdue.is_(True), Task.due_at < now), 1), else_=0))
    counts = (await session.execute(
        select(Task.kind, func.count(), late).where(*_narrowed(principal, f, with_kind=False))
        .group_by(Task.kind))).all()
    by_kind = {str(k): int(n) for k, n, _ in counts}
    total = by_kind.get(f.kind, 0) if f.kind else sum(by_kind.values())
    overdue = sum(int(o or 0) for k, _, o in counts if not f.kind or k == f.kind)
    return TaskInbox(items=[summary(t) for t in rows], total=total, limit=f.limit, offset=f.offset,
                     counts_by_kind=by_kind, overdue_count=overdue)
