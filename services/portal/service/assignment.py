"""Who holds a task: claim, release, assign, delegate, out-of-office substitutes; and who viewed it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.portal.adapters.people import Directory
from services.portal.models import OPEN, Substitute, Task, TaskView
from services.portal.schemas import SubstituteCreate, TaskDelegate
from services.portal.service.records import facts, refusal_of
from shared.actors import actor_of
from shared.audit import AuditEntry
from shared.auth import Principal
from shared.authz import authorize, authorize_handover, decider_refusal, personal_refusal
from shared.errors import Problem, conflict, not_found
from shared.metrics import TASK_TIME_TO_CLAIM
from shared.timestamps import as_utc
from shared.uow import UnitOfWork


async def load_task(uow: UnitOfWork, *, task_id: str, principal: Principal, action: str) -> Task:
    """The task, locked for this transaction, once shared.authz allowed the action (else 403 with the reason)."""
    query = select(Task).where(Task.id == task_id)
    if uow.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    task = (await uow.session.execute(query)).scalar_one_or_none()
    if task is None:
        raise not_found("Task", "công việc", task_id)
    refusal = refusal_of(principal, task, "view") or refusal_of(principal, task, action)
    if refusal is not None:
        raise refusal
    return task


def not_open(task: Task) -> Problem:
    """A 409 for a task that is already being decided or decided."""
    return conflict("task_not_open", f"The task is {task.status} and can no longer be acted on",
                    f"Công việc đang ở trạng thái {task.status}, không thể thao tác nữa")


def _emit_assignment(uow: UnitOfWork, task: Task, change: str, actor: str) -> None:
    uow.emit("TaskAssigned", subject=task.id, workflow_id=task.workflow_id, data={
        "task_id": task.id, "kind": task.kind, "change": change, "assignee": task.assignee,
        "on_behalf_of": task.on_behalf_of, "actor": actor})


async def claim(uow: UnitOfWork, *, task_id: str, principal: Principal) -> Task:
    """Take an open task from the group; claiming one's own task again changes nothing."""
    task = await load_task(uow, task_id=task_id, principal=principal, action="claim")
    if task.status != OPEN:
        raise not_open(task)
    if task.assignee == principal.user_id:
        return task
    now = datetime.now(UTC)
    task.assignee, task.assigned_via, task.on_behalf_of, task.claimed_at = principal.user_id, "claim", None, now
    _emit_assignment(uow, task, "claimed", principal.user_id)
    TASK_TIME_TO_CLAIM.labels(task.kind).observe((now - as_utc(task.created_at)).total_seconds())
    return task


async def release(uow: UnitOfWork, *, task_id: str, principal: Principal) -> Task:
    """Give a held task back to its group."""
    task = await load_task(uow, task_id=task_id, principal=principal, action="release")
    if task.status != OPEN:
        raise not_open(task)
    if task.assignee is None:
        return task
    task.assignee, task.assigned_via, task.on_behalf_of, task.delegation_reason = None, None, None, None
    _emit_assignment(uow, task, "released", principal.user_id)
    return task


async def assign(uow: UnitOfWork, *, task_id: str, principal: Principal, user_id: str,
                 directory: Directory) -> Task:
    """The Organization Board gives a task to a named person who could decide it themselves (never a personal
    decision: a vote, a mark)."""
    task = await load_task(uow, task_id=task_id, principal=principal, action="assign")
    if task.status != OPEN:
        raise not_open(task)
    authorize_handover(user_id, directory.find(user_id), facts(task))
    task.assignee, task.assigned_via, task.on_behalf_of, task.delegation_reason = user_id, "assign", None, None
    _emit_assignment(uow, task, "assigned", principal.user_id)
    uow.audit(AuditEntry(
        actor=actor_of(principal), action="task.assign", subject=f"task:{task.id}",
        reason_vi=f"Giao công việc {task.title_vi} cho {user_id}",
        reason_en=f"Task {task.title_en} assigned to {user_id}",
        inputs={"assignee": user_id, "kind": task.kind}, workflow_id=task.workflow_id, run_id=task.run_id))
    return task


async def delegate(uow: UnitOfWork, *, task_id: str, principal: Principal, data: TaskDelegate,
                   directory: Directory) -> Task:
    """Hand a task to a named person with a reason; the record shows who acts for whom. Only to someone who could
    decide it themselves, and never a personal decision (a vote, a mark)."""
    task = await load_task(uow, task_id=task_id, principal=principal, action="delegate")
    if task.status != OPEN:
        raise not_open(task)
    if data.to == principal.user_id:
        raise conflict("delegate_to_self", "A task cannot be delegated to oneself",
                       "Không thể ủy quyền công việc cho chính mình")
    authorize_handover(data.to, directory.find(data.to), facts(task))
    on_behalf = task.assignee or principal.user_id
    task.assignee, task.assigned_via, task.on_behalf_of = data.to, "delegate", on_behalf
    task.delegation_reason = data.reason
    _emit_assignment(uow, task, "delegated", principal.user_id)
    uow.audit(AuditEntry(
        actor=actor_of(principal), action="task.delegate", subject=f"task:{task.id}",
        reason_vi=f"Ủy quyền công việc {task.title_vi} cho {data.to} thay mặt {on_behalf}: {data.reason}",
        reason_en=f"Task {task.title_en} delegated to {data.to} on behalf of {on_behalf}: {data.reason}",
        inputs={"to": data.to, "on_behalf_of": on_behalf, "reason": data.reason},
        workflow_id=task.workflow_id, run_id=task.run_id))
    return task


def can_stand_in(delegate: Principal | None, task: Task) -> bool:
    """Whether a substitute may take this task over: not a personal decision, and one they could decide."""
    return (delegate is not None and personal_refusal(facts(task)) is None
            and decider_refusal(delegate, facts(task)) is None)


async def register_substitute(uow: UnitOfWork, *, principal: Principal, data: SubstituteCreate,
                              directory: Directory) -> tuple[str, int]:
    """Record an out-of-office period; the person's open tasks move to the delegate when it is in force now — those
    the delegate could decide themselves; personal decisions (votes, marks) stay with the person."""
    user_id = data.user_id or principal.user_id
    if user_id != principal.user_id:
        authorize(principal, "task.assign")
    if data.delegate == user_id:
        raise conflict("delegate_to_self", "A person cannot be their own substitute",
                       "Không thể tự làm người thay thế cho chính mình")
    stand_in = directory.find(data.delegate)
    if stand_in is None:
        raise Problem(422, "unknown_person", "Unknown person", "Không rõ người nhận",
                      f"{data.delegate} is not in the directory of people who may decide tasks",
                      f"{data.delegate} không có trong danh bạ những người được xử lý công việc")
    now = datetime.now(UTC)
    # kept in UTC: SQLite keeps a datetime's wall time and drops its offset (a +07:00 midnight read back 7 h late)
    starts, ends = as_utc(data.starts_at).astimezone(UTC), as_utc(data.ends_at).astimezone(UTC)
    sub = Substitute(id=str(uuid.uuid4()), user_id=user_id, delegate=data.delegate, starts_at=starts, ends_at=ends,
                     reason=data.reason, created_by=principal.user_id, created_at=now)
    uow.session.add(sub)
    moved = 0
    if as_utc(data.starts_at) <= now < as_utc(data.ends_at):
        tasks = (await uow.session.execute(
            select(Task).where(Task.assignee == user_id, Task.status == OPEN))).scalars().all()
        for task in tasks:
            if not can_stand_in(stand_in, task):
                continue
            task.assignee, task.assigned_via, task.on_behalf_of = data.delegate, "substitute", user_id
            task.delegation_reason = data.reason or "out of office"
            _emit_assignment(uow, task, "substituted", principal.user_id)
            moved += 1
    uow.emit("SubstituteRegistered", subject=sub.id, data={
        "substitute_id": sub.id, "user_id": user_id, "delegate": data.delegate,
        "starts_at": as_utc(data.starts_at).isoformat(), "ends_at": as_utc(data.ends_at).isoformat(),
        "rerouted_tasks": moved})
    uow.audit(AuditEntry(
        actor=actor_of(principal), action="task.substitute", subject=f"user:{user_id}",
        reason_vi=f"{data.delegate} thay thế {user_id} từ {data.starts_at:%d/%m/%Y} đến {data.ends_at:%d/%m/%Y}",
        reason_en=f"{data.delegate} stands in for {user_id} from {data.starts_at:%Y-%m-%d} to {data.ends_at:%Y-%m-%d}",
        inputs={"delegate": data.delegate, "from": data.starts_at.isoformat(), "to": data.ends_at.isoformat(),
                "rerouted_tasks": moved}))
    return sub.id, moved


async def substitutes_of(uow: UnitOfWork, *, user_id: str) -> list[Substitute]:
    """The person's out-of-office periods not yet over (in force or to come), soonest first."""
    now = datetime.now(UTC)
    rows = (await uow.session.execute(select(Substitute).where(Substitute.user_id == user_id))).scalars().all()
    return sorted((r for r in rows if as_utc(r.ends_at) > now), key=lambda r: as_utc(r.starts_at))


async def end_substitute(uow: UnitOfWork, *, principal: Principal, substitute_id: str) -> tuple[Substitute, int]:
    """End an out-of-office period now (the person is back, or it was set by mistake): the open tasks it moved to
    the delegate, and that the delegate has not decided, go back to the person."""
    sub = await uow.session.get(Substitute, substitute_id)
    if sub is None:
        raise not_found("Out-of-office period", "thời gian vắng mặt", substitute_id)
    if sub.user_id != principal.user_id:
        authorize(principal, "task.assign")  # ending someone else's period is an assignment, as setting it is
    now = datetime.now(UTC)
    if as_utc(sub.ends_at) <= now:
        raise conflict("substitute_over", "This out-of-office period is already over",
                       "Thời gian vắng mặt này đã kết thúc")
    sub.ends_at = now
    returned = 0
    tasks = (await uow.session.execute(select(Task).where(
        Task.assignee == sub.delegate, Task.on_behalf_of == sub.user_id, Task.assigned_via == "substitute",
        Task.status == OPEN))).scalars().all()
    for task in tasks:
        task.assignee, task.assigned_via, task.on_behalf_of, task.delegation_reason = sub.user_id, "returned", None, ""
        _emit_assignment(uow, task, "returned", principal.user_id)
        returned += 1
    uow.emit("SubstituteEnded", subject=sub.id, data={
        "substitute_id": sub.id, "user_id": sub.user_id, "delegate": sub.delegate, "ended_at": now.isoformat(),
        "returned_tasks": returned})
    uow.audit(AuditEntry(
        actor=actor_of(principal), action="task.substitute_end", subject=f"user:{sub.user_id}",
        reason_vi=f"Kết thúc thời gian {sub.delegate} thay thế {sub.user_id}; {returned} công việc trả lại",
        reason_en=f"{sub.delegate} no longer stands in for {sub.user_id}; {returned} tasks returned",
        inputs={"substitute_id": sub.id, "returned_tasks": returned}))
    return sub, returned


async def record_view(uow: UnitOfWork, *, task_id: str, principal: Principal) -> Task:
    """Load a task for a viewer and note who viewed it."""
    task = await load_task(uow, task_id=task_id, principal=principal, action="view")
    uow.session.add(TaskView(task_id=task.id, user_id=principal.user_id, viewed_at=datetime.now(UTC),
                             on_behalf_of=task.on_behalf_of if task.assignee == principal.user_id else None))
    return task

