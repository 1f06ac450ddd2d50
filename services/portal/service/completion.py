"""Completing tasks: authorise (shared.authz), mark completing, send the Update, answer accepted or refused.

A crash between the commit of ``completing`` and the Update's answer leaves the task ``completing``; the
reconciler (services/portal/service/reconciler.py) settles it with its workflow after ``completing_grace_seconds``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from contracts.human_tasks import TaskDecision
from services.portal.adapters.updates import UpdateRefused, UpdateSender
from services.portal.models import COMPLETED, COMPLETING, OPEN, Task
from services.portal.schemas import BulkComplete, BulkResult, CompletionResult, TaskComplete
from services.portal.service.assignment import load_task, not_open
from services.portal.service.inputs import check_decision
from services.portal.service.records import actions_of
from shared.auth import Principal
from shared.context import ServiceContext
from shared.errors import Problem, conflict, invalid
from shared.logging import get_logger
from shared.uow import unit_of_work

log = get_logger(__name__)


def _role_for(principal: Principal, task: Task) -> str:
    matching = sorted(principal.roles.intersection(json.loads(task.candidate_roles)))
    return (matching or sorted(principal.roles) or ["none"])[0]


def _repeated(task: Task, principal: Principal, body: TaskComplete) -> bool:
    """The same person's same decision (action and comment) on a task it already closed: a retry whose first answer
    was lost (the portal or the connection died after the Update). It stands; nothing is sent again."""
    return (task.status == COMPLETED and task.decided_by == principal.user_id and task.decision_action == body.action
            and (task.decision_comment or "") == (body.comment or ""))


async def _begin(ctx: ServiceContext, *, task_id: str, principal: Principal, body: TaskComplete,
                 kind: str | None) -> tuple[Task, TaskDecision | None]:
    async with unit_of_work(ctx) as uow:
        task = await load_task(uow, task_id=task_id, principal=principal, action="complete")
        if kind is not None and task.kind != kind:
            raise invalid("task_ids", "mixed_kinds", f"Bulk completion takes tasks of one kind ({kind}) only",
                          f"Chỉ xử lý hàng loạt các công việc cùng loại ({kind})")
        if _repeated(task, principal, body):
            return task, None
        if task.status != OPEN:
            raise not_open(task)
        if body.action not in {a["name"] for a in actions_of(task)}:
            raise invalid("action", "action_not_allowed", f"Action {body.action} is not offered by this task",
                          f"Công việc này không có thao tác {body.action}")
        check_decision(task, body)  # the validator's own rule, before anything is sent (422 naming the field)
        if body.dossier_digest and body.dossier_digest != task.dossier_digest:
            raise conflict("stale_dossier", "The dossier changed since you opened the task; reopen it",
                           "Hồ sơ đã thay đổi kể từ khi bạn mở công việc; hãy mở lại", field_name="dossier_digest")
        task.status, task.completing_by, task.completing_since = COMPLETING, principal.user_id, datetime.now(UTC)
        on_behalf = task.on_behalf_of if task.assignee == principal.user_id else None
        decision = TaskDecision(
            task_key=task.task_key, task_id=task.id, action=body.action, inputs=body.inputs, comment=body.comment,
            actor_id=principal.user_id, actor_role=_role_for(principal, task), on_behalf_of=on_behalf,
            actor_unit=principal.unit, dossier_digest=task.dossier_digest,
            decided_at=datetime.now(UTC).isoformat(timespec="seconds"))
    return task, decision


async def _abort(ctx: ServiceContext, *, task_id: str, principal: Principal) -> None:
    async with unit_of_work(ctx) as uow:
        task = await uow.session.get(Task, task_id)
        if task is not None and task.status == COMPLETING and task.completing_by == principal.user_id:
            task.status, task.completing_by, task.completing_since = OPEN, None, None


async def complete(ctx: ServiceContext, sender: UpdateSender, *, task_id: str, principal: Principal,
                   body: TaskComplete, kind: str | None = None) -> CompletionResult:
    """Decide one task: refused here (403/404/409/422) or by the workflow (409), else accepted."""
    task, decision = await _begin(ctx, task_id=task_id, principal=principal, body=body, kind=kind)
    if decision is None:
        log.info("task_completion_repeated", task_id=task_id, kind=task.kind, action=body.action)
        return CompletionResult(task_id=task_id, status="accepted")
    try:
        await sender.send(workflow_id=task.workflow_id, update_name=task.update_name, decision=decision)
    except UpdateRefused as refused:
        await _abort(ctx, task_id=task_id, principal=principal)
        log.info("task_completion_refused", task_id=task_id, code=refused.code)
        raise Problem(refused.status, refused.code, "Refused by the process", "Quy trình từ chối",
                      refused.reason_en, refused.reason_vi) from refused
    except BaseException:
        await _abort(ctx, task_id=task_id, principal=principal)
        raise
    log.info("task_completion_accepted", task_id=task_id, kind=task.kind, action=body.action)
    return CompletionResult(task_id=task_id, status="accepted")


async def bulk_complete(ctx: ServiceContext, sender: UpdateSender, *, principal: Principal,
                        body: BulkComplete) -> BulkResult:
    """The same decision on tasks of one kind; one result per task (a refusal does not stop the others)."""
    kind: str | None = None
    results: list[CompletionResult] = []
    for task_id in dict.fromkeys(body.task_ids):
        one = TaskComplete(action=body.action, inputs=body.inputs, comment=body.comment)
        try:
            if kind is None:
                async with ctx.sessions() as session:
                    first = await session.get(Task, task_id)
                kind = first.kind if first is not None else None
            results.append(await complete(ctx, sender, task_id=task_id, principal=principal, body=one, kind=kind))
        except Problem as problem:
            results.append(CompletionResult(task_id=task_id, status="refused", code=problem.code,
                                            reason_en=problem.detail_en, reason_vi=problem.detail_vi,
                                            http_status=problem.status))
    accepted = sum(1 for r in results if r.status == "accepted")
    return BulkResult(results=results, accepted=accepted, refused=len(results) - accepted)
