"""Two task pages beside the task page itself: a decided task's printable record, and handing a task to a colleague
(the delegation form's post). Same renderer, sign-in and refusals as the task page (api/ui.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from services.portal.api.ui import approver_of, page, render_task, to_signin
from services.portal.models import COMPLETED
from services.portal.schemas import TaskDelegate
from services.portal.service import assignment
from services.portal.service.records import decision_audit, detail
from services.portal.ui.i18n import check_code, lang_of, number, record_moment
from services.portal.ui.views import decision_lines, fill, signature_text, template_of, view_of
from shared.context import ctx_of
from shared.errors import Problem, validation_problem
from shared.uow import unit_of_work

router = APIRouter(include_in_schema=False)


@router.get("/ui/tasks/{task_id}/record")
async def record_page(task_id: str, request: Request) -> Response:
    """A decided task on one printable page: the task, the decision, the statement signed, who and when, the audit
    record it was written as (whoever may read the task may read it)."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    lang = lang_of(request)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            task = await assignment.record_view(uow, task_id=task_id, principal=principal)
            audit = await decision_audit(uow.session, ctx_of(request).tables.audit, task)
    except Problem as problem:
        return page(request, "error.html", status=problem.status, principal=principal, problem=problem)
    shown = detail(task, principal)
    action = next((a for a in shown.actions if a["name"] == task.decision_action), None)
    title = shown.title_vi if lang == "vi" else shown.title_en
    decided = task.status == COMPLETED and action is not None
    view = view_of(shown.kind, shown.dossier)
    inputs = audit.inputs if audit else {}
    lines = decision_lines(view, action, inputs, lang) if decided and inputs else []
    return page(request, "record.html", principal=principal, task=shown, view=view, lines=lines,
                partial=template_of(shown.kind, view),
                decided=decided, action=action, statement=signature_text(action, title, lang) if decided else "",
                decided_at=record_moment(task.completed_at) if task.completed_at else "",
                comment=task.decision_comment, decided_by=task.decided_by,
                decided_on_behalf_of=task.decided_on_behalf_of,
                audit_text=fill("audit_ref_text", lang, seq=number(audit.seq, lang),
                                at=record_moment(audit.recorded_at), hash=check_code(audit.hash)) if audit else "")


@router.post("/ui/tasks/{task_id}/delegate")
async def delegate(task_id: str, request: Request) -> Response:
    """Hand the task to a colleague with a reason (POST /tasks/{id}/delegate's use case); a refusal in words."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    form = await request.form()
    values = {"to": str(form.get("to") or ""), "reason": str(form.get("reason") or "").strip()}
    try:
        body = TaskDelegate(to=values["to"], reason=values["reason"])
    except ValidationError as exc:
        refused = validation_problem(RequestValidationError(exc.errors()))
        return await render_task(request, principal, task_id, status=422, problem=refused, delegate_values=values)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            await assignment.delegate(uow, task_id=task_id, principal=principal, data=body,
                                      directory=request.app.state.directory)
    except Problem as problem:
        return await render_task(request, principal, task_id, status=problem.status, problem=problem,
                                  delegate_values=values)
    return RedirectResponse(f"/ui/inbox?handed={task_id}", status_code=303)
