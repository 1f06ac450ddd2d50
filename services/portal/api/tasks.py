"""The inbox's HTTP routes (thin: parse, authorise in shared.authz, call the service, shape the answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.portal.deps import directory_of, sender_of
from services.portal.schemas import (
    BulkComplete,
    BulkResult,
    CompletionResult,
    TaskAssign,
    TaskComplete,
    TaskDelegate,
    TaskDetail,
    TaskInbox,
    TaskSummary,
)
from services.portal.service import assignment, completion
from services.portal.service.inbox import InboxFilter, Sort, read_inbox
from services.portal.service.records import detail, summary
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.uow import unit_of_work
from shared.web import MAX_OFFSET

router = APIRouter(tags=["tasks"])
Reader = Annotated[Principal, Depends(allowed("task.read"))]



@router.get("/tasks", response_model=TaskInbox)
async def list_tasks(
    request: Request, principal: Reader,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    campaign: Annotated[str | None, Query(max_length=120)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str, Query(pattern="^(open|completed|all)$")] = "open",
    due_before: datetime | None = None, overdue: bool | None = None, sort: Sort = "due",
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """My tasks: held by me, or claimable by my roles within my unit scope (never those I may not decide)."""
    f = InboxFilter(kind=kind, campaign=campaign, status=status, due_before=due_before,  # type: ignore[arg-type]
                    overdue=overdue, sort=sort, limit=limit, offset=offset, q=q)
    async with ctx_of(request).reading() as conn:
        box = await read_inbox(conn, principal=principal, f=f)
    return Response(box.json(), media_type="application/json")  # the TaskInbox document, written directly


@router.get("/tasks/{task_id}", response_model=TaskDetail)
async def get_task(task_id: str, request: Request, principal: Reader) -> TaskDetail:
    """One task with its dossier and the actions I may take; the view is recorded."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.record_view(uow, task_id=task_id, principal=principal)
    return detail(task, principal)


@router.post("/tasks/{task_id}/claim", response_model=TaskSummary)
async def claim_task(task_id: str, request: Request, principal: Reader) -> TaskSummary:
    """Take the task from the group."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.claim(uow, task_id=task_id, principal=principal)
    return summary(task)


@router.post("/tasks/{task_id}/release", response_model=TaskSummary)
async def release_task(task_id: str, request: Request, principal: Reader) -> TaskSummary:
    """Give the task back to the group."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.release(uow, task_id=task_id, principal=principal)
    return summary(task)


@router.post("/tasks/{task_id}/assign", response_model=TaskSummary)
async def assign_task(task_id: str, body: TaskAssign, request: Request,
                      principal: Annotated[Principal, Depends(allowed("task.assign"))]) -> TaskSummary:
    """The Organization Board gives the task to a named person."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.assign(uow, task_id=task_id, principal=principal, user_id=body.user_id,
                                       directory=directory_of(request))
    return summary(task)


@router.post("/tasks/{task_id}/delegate", response_model=TaskSummary)
async def delegate_task(task_id: str, body: TaskDelegate, request: Request, principal: Reader) -> TaskSummary:
    """Hand the task to a named person with a reason (they act on my behalf)."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.delegate(uow, task_id=task_id, principal=principal, data=body,
                                         directory=directory_of(request))
    return summary(task)


@router.post("/tasks/bulk-complete", response_model=BulkResult)
async def bulk_complete(body: BulkComplete, request: Request, principal: Reader) -> BulkResult:
    """The same decision on several tasks of one kind; one result per task."""
    return await completion.bulk_complete(ctx_of(request), sender_of(request), principal=principal, body=body)


@router.post("/tasks/{task_id}/complete", response_model=CompletionResult)
async def complete_task(task_id: str, body: TaskComplete, request: Request, principal: Reader) -> CompletionResult:
    """Decide the task: refused with a reason (403/409/422), or accepted by the waiting process."""
    return await completion.complete(ctx_of(request), sender_of(request), task_id=task_id, principal=principal,
                                     body=body)
