"""The approvers' web UI: server-rendered pages over the same service functions as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from services.portal import assignment, completion
from services.portal.config import PortalSettings, demo_login_enabled
from services.portal.i18n import kind_label, lang_of, role_label, translator, when
from services.portal.queries import InboxFilter, inbox
from services.portal.records import detail
from services.portal.schemas import TaskComplete
from shared.auth import PORTAL_SESSION, SESSION_COOKIE, Principal, decode_token, demo_users, token_for_demo_user
from shared.authz import authorize
from shared.config import Settings
from shared.context import ctx_of
from shared.errors import Problem, validation_problem
from shared.uow import unit_of_work

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
_templates: list[Jinja2Templates] = []


def templates() -> Jinja2Templates:
    """The page templates (loaded on first use, not at import)."""
    if not _templates:
        _templates.append(Jinja2Templates(directory=str(HERE / "templates")))
    return _templates[0]



def _principal(request: Request) -> Principal | None:
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
    response = templates().TemplateResponse(request, name, {
        "lang": lang, "t": translator(lang), "when": lambda m: when(m, lang), "switch_lang": other,
        "kind_label": lambda k: kind_label(k, lang),
        "role_label": lambda r: role_label(r, lang),
        "principal": values.pop("principal", None), **values}, status_code=status)
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie("cadre_lang", lang, max_age=365 * 86400, samesite="lax")
    return response


def _to_signin() -> RedirectResponse:
    return RedirectResponse("/ui/signin", status_code=303)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/inbox", status_code=303)


@router.get("/ui/static/portal.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "static" / "portal.css", media_type="text/css")


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
    response = RedirectResponse("/ui/inbox", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/ui/signout")
async def signout() -> Response:
    response = _to_signin()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/ui/inbox")
async def inbox_page(request: Request, kind: str | None = None, overdue: bool | None = None) -> Response:
    principal = _principal(request)
    if principal is None:
        return _to_signin()
    f = InboxFilter(kind=kind or None, overdue=True if overdue else None, limit=100)
    async with ctx_of(request).sessions() as session:
        box = await inbox(session, principal=principal, f=f)
        everything = await inbox(session, principal=principal, f=InboxFilter(limit=1))
    return page(request, "inbox.html", principal=principal, box=box, counts=everything.counts_by_kind,
                overdue_total=everything.overdue_count, kind=kind, only_overdue=bool(overdue),
                done=request.query_params.get("done"))


async def _task_page(request: Request, principal: Principal, task_id: str, *, status: int = 200,
                     problem: Problem | None = None) -> Response:
    async with unit_of_work(ctx_of(request)) as uow:
        task = await assignment.record_view(uow, task_id=task_id, principal=principal)
    return page(request, "task.html", status=status, principal=principal, task=detail(task, principal),
                problem=problem)


@router.get("/ui/tasks/{task_id}")
async def task_page(task_id: str, request: Request) -> Response:
    principal = _principal(request)
    if principal is None:
        return _to_signin()
    try:
        return await _task_page(request, principal, task_id)
    except Problem as problem:
        return page(request, "error.html", status=problem.status, principal=principal, problem=problem)


@router.post("/ui/tasks/{task_id}/hold")
async def hold(task_id: str, request: Request) -> Response:
    """Claim or release from the task page."""
    principal = _principal(request)
    if principal is None:
        return _to_signin()
    form = await request.form()
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            if form.get("op") == "release":
                await assignment.release(uow, task_id=task_id, principal=principal)
            else:
                await assignment.claim(uow, task_id=task_id, principal=principal)
    except Problem as problem:
        return await _task_page(request, principal, task_id, status=problem.status, problem=problem)
    return RedirectResponse(f"/ui/tasks/{task_id}", status_code=303)


@router.post("/ui/tasks/{task_id}/act")
async def act(task_id: str, request: Request) -> Response:
    """First post: show the confirmation; confirmed post: send the decision, show the refusal or go back."""
    principal = _principal(request)
    if principal is None:
        return _to_signin()
    form = await request.form()
    action = str(form.get("action", ""))
    comment = str(form.get("comment", "")).strip()
    prefix = f"input.{action}."
    inputs = {str(k).removeprefix(prefix): str(v) for k, v in form.items() if str(k).startswith(prefix) and v != ""}
    if form.get("confirmed") != "yes":
        try:
            async with unit_of_work(ctx_of(request)) as uow:
                task = await assignment.load_task(uow, task_id=task_id, principal=principal, action="complete")
        except Problem as problem:
            return await _task_page(request, principal, task_id, status=problem.status, problem=problem)
        chosen = next((a for a in detail(task, principal).actions if a["name"] == action), None)
        return page(request, "confirm.html", principal=principal, task=detail(task, principal), action=chosen,
                    action_name=action, comment=comment, inputs=inputs)
    try:
        body = TaskComplete(action=action or "-", inputs=inputs, comment=comment,
                            dossier_digest=str(form.get("dossier_digest") or "") or None)
    except ValidationError as exc:  # the API's own 422 (a comment too long, one with a personal id)
        refused = validation_problem(RequestValidationError(exc.errors()))
        return await _task_page(request, principal, task_id, status=422, problem=refused)
    try:
        await completion.complete(ctx_of(request), request.app.state.update_sender, task_id=task_id,
                                  principal=principal, body=body)
    except Problem as problem:
        return await _task_page(request, principal, task_id, status=problem.status, problem=problem)
    return RedirectResponse(f"/ui/inbox?done={task_id}", status_code=303)
