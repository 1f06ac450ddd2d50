"""The workflow side of the inbox: file a task, remind and escalate, close it with its decision."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, select

from contracts.human_tasks import CloseTaskInput, CreateTaskInput, TaskOverdueInput
from contracts.stalls import PROCESS_STALLED, STOP
from contracts.tasks import parse_view
from services.portal.models import COMPLETED, Substitute, Task, TaskCandidate, TaskExclusion
from services.portal.service.inbox import exclusion_keys
from services.portal.service.records import pack, search_text, subject_user, unpack
from shared.audit import Actor, AuditEntry, digest
from shared.logging import get_logger
from shared.metrics import TASK_AGE, TASK_ESCALATIONS, TASK_REMINDERS, TASK_TIME_TO_COMPLETE
from shared.timestamps import as_utc
from shared.uow import UnitOfWork

log = get_logger(__name__)


async def active_substitute(uow: UnitOfWork, *, user_id: str, at: datetime) -> str | None:
    """The delegate standing in for a person at a moment, if any."""
    row = (await uow.session.execute(
        select(Substitute.delegate).where(and_(Substitute.user_id == user_id, Substitute.starts_at <= at,
                                               Substitute.ends_at > at))
        .order_by(Substitute.created_at.desc()).limit(1))).first()
    return str(row[0]) if row else None


async def find_task(uow: UnitOfWork, *, workflow_id: str, task_key: str) -> Task | None:
    """The task a workflow filed under a key."""
    return (await uow.session.execute(
        select(Task).where(Task.workflow_id == workflow_id, Task.task_key == task_key))).scalar_one_or_none()


async def create_task(uow: UnitOfWork, *, inp: CreateTaskInput,
                      stand_in_ok: Callable[[str, Task], bool] = lambda _delegate, _task: False) -> tuple[Task, bool]:
    """File a workflow's task; the same workflow id and task key give back the same task. A task filed for a person
    who is away goes to their substitute only when ``stand_in_ok(delegate, task)`` (never a personal decision, only
    to someone who could decide it)."""
    existing = await find_task(uow, workflow_id=inp.workflow_id, task_key=inp.request.task_key)
    if existing is not None:
        return existing, False
    req = inp.request
    parse_view(req.kind, req.dossier)  # a kind with a schema files exactly its view (DossierInvalid otherwise)
    now = datetime.now(UTC)
    assignee, via, on_behalf_of = req.assignee, ("request" if req.assignee else None), None
    delegate = await active_substitute(uow, user_id=req.assignee, at=now) if req.assignee else None
    roles = list(dict.fromkeys(req.candidate_roles))
    task = Task(
        id=str(uuid.uuid4()), workflow_id=inp.workflow_id, run_id=inp.run_id, workflow_type=inp.workflow_type,
        update_name=inp.update_name, task_key=req.task_key, kind=req.kind, title_vi=req.title_vi,
        title_en=req.title_en, subject=req.subject, subject_user_id=subject_user(req.subject, req.dossier),
        candidate_roles=json.dumps(roles), candidate_group=(roles[0] if roles else "none"),
        escalation_roles=json.dumps(req.escalation_roles), unit_scope=req.unit_scope,
        excluded_users=pack(req.excluded_users), excluded_units=pack(req.excluded_units), assignee=assignee,
        assigned_via=via, on_behalf_of=on_behalf_of, status="open", priority=req.priority, campaign=req.campaign,
        dossier=json.dumps(req.dossier, ensure_ascii=False, default=str), dossier_digest=digest(req.dossier),
        actions=json.dumps([asdict(a) for a in req.actions], ensure_ascii=False),
        due_at=now + timedelta(seconds=req.due_in_seconds), overdue=False, escalated=False, created_at=now,
        search_folded=search_text(req.title_vi, req.title_en, req.dossier))
    if delegate and stand_in_ok(delegate, task):
        task.assignee, task.assigned_via, task.on_behalf_of = delegate, "substitute", req.assignee
    uow.session.add(task)
    await uow.session.flush()
    uow.session.add_all([TaskCandidate.of(task, r) for r in roles])
    uow.session.add_all([TaskExclusion(who=k, task_id=task.id)
                         for k in exclusion_keys(users=req.excluded_users, units=req.excluded_units)])
    uow.emit("TaskCreated", subject=task.id, workflow_id=inp.workflow_id, data={
        "task_id": task.id, "kind": task.kind, "task_key": task.task_key, "subject": task.subject,
        "candidate_roles": roles, "unit_scope": task.unit_scope, "assignee": task.assignee,
        "due_at": task.due_at.isoformat(), "priority": task.priority, "campaign": task.campaign,
        "dossier_digest": task.dossier_digest})
    log.info("task_created", task_id=task.id, kind=task.kind, workflow_id=inp.workflow_id)
    return task, True


async def record_overdue(uow: UnitOfWork, *, inp: TaskOverdueInput) -> bool:
    """Remind (stage "reminded") or escalate (stage "escalated") an open task; a repeat changes nothing."""
    task = await uow.session.get(Task, inp.task_id)
    if task is None or task.status == COMPLETED:
        return False
    now = datetime.now(UTC)
    if inp.stage == "reminded":
        if task.reminded_at is not None:
            return False
        task.overdue, task.reminded_at = True, now
        uow.emit("TaskReminded", subject=task.id, workflow_id=task.workflow_id, data={
            "task_id": task.id, "kind": task.kind, "assignee": task.assignee,
            "candidate_roles": json.loads(task.candidate_roles), "due_at": as_utc(task.due_at).isoformat()})
        TASK_REMINDERS.labels(task.kind).inc()
        return True
    if task.escalated:
        return False
    roles = json.loads(task.candidate_roles)
    added = [r for r in dict.fromkeys(inp.escalation_roles) if r not in roles]
    task.candidate_roles = json.dumps(roles + added)
    task.overdue, task.escalated, task.escalated_at = True, True, now
    uow.session.add_all([TaskCandidate.of(task, r) for r in added])
    uow.emit("TaskEscalated", subject=task.id, workflow_id=task.workflow_id, data={
        "task_id": task.id, "kind": task.kind, "escalation_roles": list(inp.escalation_roles)})
    TASK_ESCALATIONS.labels(task.kind).inc()
    return True


def _action_label(task: Task, name: str) -> tuple[str, str, str]:
    for action in json.loads(task.actions):
        if action["name"] == name:
            return str(action["label_vi"]), str(action["label_en"]), str(action["signature"])
    return name, name, name


async def close_task(uow: UnitOfWork, *, inp: CloseTaskInput) -> bool:
    """Mark the task completed with its decision and write the portal's audit record (once). The row is locked
    first: the workflow's close_task and the reconciler (services/portal/service/reconciler.py) may close it at once."""
    task = await uow.session.get(Task, inp.task_id, with_for_update=True, populate_existing=True)
    if task is None or task.status == COMPLETED:
        return False
    d = inp.decision
    now = datetime.now(UTC)
    label_vi, label_en, signature = _action_label(task, d.action)
    task.status, task.completed_at, task.decision_action = COMPLETED, now, d.action
    task.decided_by, task.decided_on_behalf_of, task.decision_comment = d.actor_id, d.on_behalf_of, d.comment
    await uow.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task.id))
    await uow.session.execute(delete(TaskExclusion).where(TaskExclusion.task_id == task.id))
    behalf_vi = f" (thay mặt {d.on_behalf_of})" if d.on_behalf_of else ""
    behalf_en = f" (on behalf of {d.on_behalf_of})" if d.on_behalf_of else ""
    uow.audit(AuditEntry(
        actor=Actor(user_id=d.actor_id, role=d.actor_role, on_behalf_of=d.on_behalf_of),
        action=f"task.{signature}", subject=f"task:{task.id}",
        reason_vi=f"{task.title_vi}: {label_vi}{behalf_vi}. Ý kiến: {d.comment or '—'}",
        reason_en=f"{task.title_en}: {label_en}{behalf_en}. Comment: {d.comment or '—'}",
        inputs={"signature": signature, "action": d.action, "inputs": d.inputs, "comment": d.comment,
                "task_kind": task.kind, "task_key": task.task_key, "task_subject": task.subject,
                "dossier_digest": d.dossier_digest or task.dossier_digest, "actor_unit": d.actor_unit,
                "decided_at": d.decided_at, "excluded_users": unpack(task.excluded_users),
                "excluded_units": unpack(task.excluded_units)},
        workflow_id=task.workflow_id, run_id=task.run_id))
    uow.emit("TaskCompleted", subject=task.id, workflow_id=task.workflow_id, data={
        "task_id": task.id, "kind": task.kind, "task_key": task.task_key, "action": d.action,
        "signature": signature, "actor": d.actor_id, "on_behalf_of": d.on_behalf_of,
        "dossier_digest": d.dossier_digest or task.dossier_digest})
    if task.kind == PROCESS_STALLED and d.action == STOP:  # the Board stopped a stalled process: said with the audit
        step = json.loads(task.dossier).get("activity", "")
        uow.emit("CadreProcessStopped", subject=task.workflow_id, workflow_id=task.workflow_id, data={
            "workflow_id": task.workflow_id, "workflow_type": task.workflow_type, "task_id": task.id,
            "activity": step, "actor": d.actor_id, "on_behalf_of": d.on_behalf_of})
    age = (now - as_utc(task.created_at)).total_seconds()
    TASK_TIME_TO_COMPLETE.labels(task.kind).observe(age)
    TASK_AGE.labels(task.kind).observe(age)
    log.info("task_closed", task_id=task.id, kind=task.kind, action=d.action)
    return True
