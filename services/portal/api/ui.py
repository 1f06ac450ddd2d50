"""The approvers' web UI: server-rendered pages over the same service functions as the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from contracts.tasks import TieBreakView
from services.portal.config import PortalSettings, demo_login_enabled
from services.portal.domain.forms import FormError, check_decision, normalise
from services.portal.models import OPEN, Task
from services.portal.pages.nav import may, nav_links
from services.portal.pages.words import code_word
from services.portal.schemas import TaskComplete, TaskSummary
from services.portal.service import assignment, completion
from services.portal.service.inbox import InboxFilter, inbox
from services.portal.service.records import detail, facts, refusal_of
from services.portal.ui.i18n import (
    CHOICES,
    SEVERITIES,
    day,
    kind_label,
    lang_of,
    moment_of,
    number,
    role_label,
    translator,
    when,
    word,
)
from services.portal.ui.views import (
    decision_lines,
    fill,
    majority_of,
    policy_name,
    signature_text,
    template_of,
    tie_order,
    view_of,
)
from shared.auth import PORTAL_SESSION, SESSION_COOKIE, Principal, decode_token, demo_users, token_for_demo_user
from shared.authz import authorize, decider_refusal, personal_refusal
from shared.config import Settings
from shared.context import ctx_of
from shared.errors import Problem, validation_problem
from shared.uow import unit_of_work
from shared.vietnamese import sort_key, sort_key_name

HERE = Path(__file__).parent.parent  # the portal package: templates/ and static/
router = APIRouter(include_in_schema=False)
_templates: list[Jinja2Templates] = []


def templates() -> Jinja2Templates:
    """The page templates (loaded on first use, not at import)."""
    if not _templates:
        _templates.append(Jinja2Templates(directory=str(HERE / "templates")))
        _templates[0].env.globals["nav_links"] = nav_links  # each role's pages (services/portal/pages)
    return _templates[0]


def approver_of(request: Request) -> Principal | None:
    """The signed-in person who may read tasks, or None (then the page sends them to sign in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    try:
        principal = decode_token(settings, token, audience=PORTAL_SESSION)
        authorize(principal, "task.read")
    except Problem:
        return None
    return principal


def page(request: Request, name: str, status: int = 200, **values: Any) -> Response:
    """Render a page in the asked language (and remember the choice in a cookie)."""
    lang = lang_of(request)
    other = "en" if lang == "vi" else "vi"
    principal = values.get("principal")
    response = templates().TemplateResponse(request, name, {
        "lang": lang, "t": translator(lang), "when": lambda m: when(m, lang), "switch_lang": other,
        "kind_label": lambda k: kind_label(k, lang),
        "role_label": lambda r: role_label(r, lang),
        "day": lambda iso: day(iso, lang), "moment": lambda iso: moment_of(iso, lang),
        "num": lambda x: number(x, lang), "policy": lambda v: policy_name(v, lang),
        "choice": lambda c: word(CHOICES, c, lang), "severity": lambda c: word(SEVERITIES, c, lang),
        "fill": lambda key, **kw: fill(key, lang, **kw), "majority_of": majority_of,
        "code": lambda table, c: code_word(table, c, lang),
        "person": lambda uid: _person(request, uid),
        "may": lambda action: principal is not None and may(principal, action),  # what the page may link to
        "principal": values.pop("principal", None), **values}, status_code=status)
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("cadre_lang", lang, max_age=365 * 86400, samesite="lax")
    return response


def _person(request: Request, user_id: str | None) -> str:
    """A person's name from the directory (never their user id when the directory knows them)."""
    if not user_id:
        return "—"
    directory = getattr(request.app.state, "directory", None)
    found = directory.find(user_id) if directory is not None else None
    return found.name if found is not None and found.name else user_id


def to_signin() -> RedirectResponse:
    """Back to the sign-in page."""
    return RedirectResponse("/ui/signin", status_code=303)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/inbox", status_code=303)


@router.get("/ui/static/portal.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "portal.css", media_type="text/css")


@router.get("/ui/static/portal.js")
async def script() -> FileResponse:
    return FileResponse(HERE / "static" / "portal.js", media_type="text/javascript")


@router.get("/ui/signin")
async def signin_page(request: Request) -> Response:
    portal: PortalSettings = request.app.state.portal_settings
    enabled = demo_login_enabled(request.app.state.settings, portal)
    users = [u for u in demo_users().values() if u.get("units") is not None and "service" not in u["roles"]]
    return page(request, "signin.html", users=users if enabled else [], enabled=enabled)


@router.post("/ui/signin")
async def signin(request: Request) -> Response:
    form = await request.form()
    user_id = str(form.get("user_id", ""))
    portal: PortalSettings = request.app.state.portal_settings
    if not demo_login_enabled(request.app.state.settings, portal) or user_id not in demo_users():
        return page(request, "signin.html", status=403, users=[], enabled=False)
    token = token_for_demo_user(request.app.state.settings, user_id, audience=[PORTAL_SESSION])
    response = RedirectResponse("/ui/start", status_code=303)  # the first page the person's role may use
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/ui/signout")
async def signout() -> Response:
    response = to_signin()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/ui/inbox")
async def inbox_page(request: Request, kind: str | None = None, overdue: bool | None = None,
                     q: str = "", status: str = "open", sort: str = "due") -> Response:
    """My inbox, narrowed by words (diacritics ignored), kind and state; by due date or by name (Vietnamese order)."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    state = status if status in ("open", "completed", "all") else "open"
    words = q.strip()[:200]
    f = InboxFilter(kind=kind or None, overdue=True if overdue else None, limit=100, q=words or None,
                    status=state)  # type: ignore[arg-type]
    async with ctx_of(request).read_sessions() as session:
        box = await inbox(session, principal=principal, f=f)
        everything = await inbox(session, principal=principal, f=InboxFilter(limit=1))
    lang = lang_of(request)
    if sort == "name":  # the page is read whole (at most 100): ordered by the words a person reads
        box.items.sort(key=lambda t: sort_key(t.title_vi if lang == "vi" else t.title_en))
    kinds = sorted({*everything.counts_by_kind, *([kind] if kind else [])}, key=lambda k: sort_key(kind_label(k, lang)))
    return page(request, "inbox.html", principal=principal, box=box, counts=everything.counts_by_kind,
                overdue_total=everything.overdue_count, kind=kind, only_overdue=bool(overdue),
                done=request.query_params.get("done"), done_link=True, q=words, state=state,
                handed=await _handed_to(request, principal, request.query_params.get("handed")),
                sort="name" if sort == "name" else "due", kinds=kinds,
                narrowed=bool(words) or state != "open" or sort == "name")


async def _handed_to(request: Request, principal: Principal, task_id: str | None) -> str:
    """The name of the colleague the person just handed a task to (after the delegation's redirect), or "" (a task
    the person did not delegate names nobody)."""
    if not task_id:
        return ""
    async with ctx_of(request).read_sessions() as session:
        task = await session.get(Task, task_id)
    if task is None or not task.assignee or task.assigned_via != "delegate" or task.on_behalf_of != principal.user_id:
        return ""
    return _person(request, task.assignee)


async def render_task(request: Request, principal: Principal, task_id: str, *, status: int = 200,
                      problem: Problem | None = None, errors: list[FormError] | None = None,
                      chosen: str = "", inputs: dict[str, str] | None = None, comment: str = "",
                      delegate_values: dict[str, str] | None = None) -> Response:
    """The task page (its view recorded as read), with a refusal, the form's errors or the values to show again."""
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.record_view(uow, task_id=task_id, principal=principal)
    shown = detail(task, principal)
    view = view_of(shown.kind, shown.dossier)
    return page(request, "task.html", status=status, principal=principal, task=shown, problem=problem,
                view=view, partial=template_of(shown.kind, view), errors=errors or [], chosen=chosen,
                values=inputs or {}, comment=comment, decision_comment=task.decision_comment,
                colleagues=colleagues(request, principal, task), may_delegate=may_delegate(principal, task),
                delegate_values=delegate_values or {})


def may_delegate(principal: Principal, task: Task) -> bool:
    """Whether the task page offers to hand the task on: open, held by the person (claimed, assigned or standing
    in), not a personal decision, and delegating allowed by shared.authz (TASK_ACTIONS "delegate")."""
    return (task.status == OPEN and task.assignee == principal.user_id and personal_refusal(facts(task)) is None
            and refusal_of(principal, task, "delegate") is None)


def colleagues(request: Request, principal: Principal, task: Task) -> list[Principal]:
    """Who the task may be handed to: people of the directory who could decide it themselves, in name order."""
    directory = getattr(request.app.state, "directory", None)
    people = directory.people.values() if directory is not None else []
    return sorted((p for p in people if p.user_id != principal.user_id and p.user_id != task.assignee
                   and decider_refusal(p, facts(task)) is None),
                  key=lambda p: sort_key_name(p.name or p.user_id))


@router.get("/ui/tasks/{task_id}")
async def task_page(task_id: str, request: Request) -> Response:
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    try:
        return await render_task(request, principal, task_id)
    except Problem as problem:
        return page(request, "error.html", status=problem.status, principal=principal, problem=problem)


@router.post("/ui/tasks/{task_id}/hold")
async def hold(task_id: str, request: Request) -> Response:
    """Claim or release from the task page."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    form = await request.form()
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            if form.get("op") == "release":
                await assignment.release(uow, task_id=task_id, principal=principal)
            else:
                await assignment.claim(uow, task_id=task_id, principal=principal)
    except Problem as problem:
        return await render_task(request, principal, task_id, status=problem.status, problem=problem)
    return RedirectResponse(f"/ui/tasks/{task_id}", status_code=303)


@router.post("/ui/tasks/{task_id}/act")
async def act(task_id: str, request: Request) -> Response:
    """First post: show the confirmation; confirmed post: send the decision, show the refusal or go back."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    form = await request.form()
    action = str(form.get("action", ""))
    comment = str(form.get("comment", "")).strip()
    prefix = f"input.{action}."
    raw = {str(k).removeprefix(prefix): str(v) for k, v in form.items() if str(k).startswith(prefix) and v != ""}
    back = str(form.get("back") or "")
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            task = await assignment.load_task(uow, task_id=task_id, principal=principal, action="complete")
    except Problem as problem:
        return await render_task(request, principal, task_id, status=problem.status, problem=problem)
    shown = detail(task, principal)
    chosen = next((a for a in shown.actions if a["name"] == action), None)
    view = view_of(shown.kind, shown.dossier)
    positions = {str(k).removeprefix("pos."): str(v) for k, v in form.items() if str(k).startswith("pos.")}
    order_errors: list[FormError] = []
    if isinstance(view, TieBreakView) and positions:  # the chair ranks names; the workflow takes the ids in order
        order, order_errors = tie_order(view, positions)
        raw["order"] = order
        raw.update({f"pos.{k}": v for k, v in positions.items()})
    errors = order_errors or check_decision(chosen, raw, comment)  # the browser checks the same; this one counts
    if errors and back == "marking":
        return await _marking(request, principal, errors=errors)
    if errors:
        return await render_task(request, principal, task_id, status=422, errors=errors, chosen=action,
                                 inputs=raw, comment=comment)
    inputs = normalise(chosen, raw)  # only the chosen action's inputs are sent
    lang = lang_of(request)
    title = shown.title_vi if lang == "vi" else shown.title_en
    try:  # the API's own checks first (a comment too long, one with a personal id): a 422 before confirming
        body = TaskComplete(action=action or "-", inputs=inputs, comment=comment,
                            dossier_digest=str(form.get("dossier_digest") or "") or None)
    except ValidationError as exc:
        refused = validation_problem(RequestValidationError(exc.errors()))
        return await render_task(request, principal, task_id, status=422, problem=refused)
    if form.get("confirmed") != "yes":
        return page(request, "confirm.html", principal=principal, task=shown, action=chosen, action_name=action,
                    comment=comment, inputs=inputs, lines=decision_lines(view, chosen, inputs, lang),
                    statement=signature_text(chosen, title, lang),
                    view=view)
    try:
        await completion.complete(ctx_of(request), request.app.state.update_sender, task_id=task_id,
                                  principal=principal, body=body)
    except Problem as problem:
        if back == "marking":
            return await _marking(request, principal, problem=problem)
        return await render_task(request, principal, task_id, status=problem.status, problem=problem)
    if back == "marking":
        return RedirectResponse(f"/ui/marking?done={task_id}", status_code=303)
    return RedirectResponse(f"/ui/inbox?done={task_id}", status_code=303)


PAPER_KINDS = ("essay_mark", "interview_score")


@router.get("/ui/marking")
async def marking_page(request: Request) -> Response:
    """An examiner's open papers on one page: one mark, one signature per paper."""
    principal = approver_of(request)
    if principal is None:
        return to_signin()
    return await _marking(request, principal)


async def _marking(request: Request, principal: Principal, problem: Problem | None = None,
                   errors: list[FormError] | None = None) -> Response:
    papers: list[TaskSummary] = []
    async with ctx_of(request).read_sessions() as session:
        for kind in PAPER_KINDS:
            box = await inbox(session, principal=principal, f=InboxFilter(kind=kind, limit=100))
            papers.extend(t for t in box.items if t.assignee == principal.user_id and t.status == "open")
    rows = []
    async with ctx_of(request).read_sessions() as session:
        for item in papers:
            task = await session.get(Task, item.id)
            if task is None:
                continue
            shown = detail(task, principal)
            view = view_of(shown.kind, shown.dossier)
            if view is not None and shown.allowed_actions:
                rows.append({"task": shown, "view": view, "action": shown.allowed_actions[0]})
    rows.sort(key=lambda r: (getattr(r["view"], "component", ""), getattr(r["view"], "code", "")))
    done_code = None
    done = request.query_params.get("done")
    if done:
        async with ctx_of(request).read_sessions() as session:
            finished = await session.get(Task, done)
        if finished is not None:
            done_view = view_of(finished.kind, json.loads(finished.dossier))
            done_code = getattr(done_view, "code", None)
    status = problem.status if problem else (422 if errors else 200)
    return page(request, "marking.html", status=status, principal=principal, rows=rows, problem=problem,
                done_code=done_code, errors=errors or [])
