"""Who may do what: the one place every endpoint and every task asks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import PORTAL_SESSION, SESSION_COOKIE, Principal, decode_token, unauthenticated
from shared.config import Settings
from shared.errors import Problem
from shared.task_rules import PERSONAL_TASK_KINDS

# action -> roles allowed to perform it. Unit scope is checked on top where a unit is named.
PERMISSIONS: dict[str, frozenset[str]] = {
    "unit.create": frozenset({"organization_board", "service"}),
    "unit.read": frozenset({"organization_board", "unit_officer", "auditor", "service", "institution_staff"}),
    "unit.reorganise": frozenset({"organization_board"}),
    "official.write": frozenset({"organization_board", "unit_officer", "service"}),
    "official.read": frozenset({"organization_board", "unit_officer", "auditor", "service"}),
    "official.import": frozenset({"organization_board", "unit_officer", "service"}),
    "dispatch.write": frozenset({"organization_board"}),
    "registration.submit": frozenset({"unit_officer", "organization_board"}),
    "registration.read": frozenset({"unit_officer", "organization_board", "auditor", "service"}),
    "registration.review": frozenset({"organization_board"}),
    "conflict.read": frozenset({"organization_board", "auditor"}),
    "compliance.read": frozenset({"organization_board", "unit_officer", "auditor", "service"}),
    "programme.write": frozenset({"organization_board"}),
    "plan.write": frozenset({"organization_board"}),
    "catalogue.read": frozenset({"organization_board", "unit_officer", "institution_staff", "auditor", "service",
                                 "examiner", "committee_member", "committee_chair"}),
    "class.write": frozenset({"organization_board", "institution_staff"}),
    "class.decide": frozenset({"organization_board"}),
    "enrolment.write": frozenset({"organization_board", "service"}),
    # rosters, waitlists, a person's classes: the same readers as registration's lists, plus the school's staff
    "enrolment.read": frozenset({"organization_board", "unit_officer", "auditor", "service", "institution_staff"}),
    "attendance.write": frozenset({"institution_staff", "organization_board"}),
    "campaign.write": frozenset({"organization_board", "service"}),
    "campaign.read": frozenset({"organization_board", "auditor", "service", "committee_member",
                                "committee_chair"}),
    "nomination.propose": frozenset({"unit_officer", "organization_board"}),
    "ballot.cast": frozenset({"voter", "ballot_token"}),
    "task.read": frozenset({"organization_board", "unit_officer", "examiner", "marking_head", "council_chair",
                            "committee_member", "committee_chair", "institution_staff"}),
    "task.assign": frozenset({"organization_board"}),
    "task.substitute": frozenset({"organization_board", "unit_officer", "examiner", "marking_head", "council_chair",
                                  "committee_member", "committee_chair", "institution_staff"}),
    "audit.read": frozenset({"auditor"}),
    "dossier_read.read": frozenset({"auditor"}),
    "audit.verify": frozenset({"auditor", "operator"}),
    "report.read": frozenset({"organization_board", "auditor", "service"}),
}


# action -> roles that read every unit's rows of it regardless of their unit scope. The political school's staff
# teach a class and record its attendance and marks, so they read its whole roster (classes carry no institution
# code yet, so this is every class: see docs/security.md, "Still open (items 4, 5, 7, 9, 10)").
UNIT_WIDE_READERS: dict[str, frozenset[str]] = {
    "enrolment.read": frozenset({"institution_staff"}),
}


def visible_units(principal: Principal, action: str) -> list[str] | None:
    """The units whose rows a list may show the principal (None: every unit), once the role is checked."""
    authorize(principal, action)
    if principal.province_wide or principal.roles.intersection(UNIT_WIDE_READERS.get(action, frozenset())):
        return None
    return sorted(principal.units)


def forbidden(en: str, vi: str) -> Problem:
    """A 403 problem with the reason in both languages."""
    return Problem(403, "forbidden", "Forbidden", "Không có quyền", en, vi)


def held_elsewhere() -> Problem:
    """A 403 for a write on a record held by a unit outside the caller's scope, naming neither that unit nor
    anything else about the record (the caller may not learn where a personal id is recorded)."""
    return forbidden("This record is held outside your unit scope; ask the Organization Board to transfer it",
                     "Hồ sơ này thuộc đơn vị ngoài phạm vi của bạn; đề nghị Ban Tổ chức điều chuyển")


def authorize_move(principal: Principal, action: str, *, current_unit: str | None, new_unit: str | None) -> None:
    """A write that may move a record: the caller must cover the record's unit now *and* the unit it goes to.
    The refusal for the current unit does not name it (see ``held_elsewhere``)."""
    authorize(principal, action, unit=new_unit)
    if not principal.covers_unit(current_unit):
        raise held_elsewhere()


def authorize(principal: Principal, action: str, *, unit: str | None = None) -> None:
    """Raise a 403 unless the principal may perform the action (on that unit)."""
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        raise forbidden(f"Unknown action {action}", f"Hành động không xác định {action}")
    if not principal.roles.intersection(allowed):
        raise forbidden(f"Your roles do not allow '{action}'",
                        f"Vai trò của bạn không được phép thực hiện '{action}'")
    if not principal.covers_unit(unit):
        raise forbidden(f"Unit {unit} is outside your scope", f"Đơn vị {unit} nằm ngoài phạm vi của bạn")


_bearer = HTTPBearer(auto_error=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def current_principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller, from a bearer token naming this service in its audience (or, at the portal only,
    from the portal's session cookie, whose audience is the portal's session)."""
    service = str(getattr(request.app.state, "service", ""))
    if creds:
        token, audience = creds.credentials, service
    elif service == "portal" and request.cookies.get(SESSION_COOKIE):
        token, audience = request.cookies[SESSION_COOKIE], PORTAL_SESSION
    else:
        raise unauthenticated("A bearer token is required", "Cần mã truy cập (bearer token)")
    principal = decode_token(_settings(request), token, audience=audience)
    request.state.principal = principal
    structlog.contextvars.bind_contextvars(actor=principal.user_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def allowed(action: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, once checked for the action (unit checks follow in the handler)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        authorize(principal, action)
        return principal

    dependency.__name__ = f"allowed_{action.replace('.', '_')}"
    return dependency


# --- Human tasks (the portal's inbox): who may see, pick up, hand on and decide a task. -----------------------


@dataclass(frozen=True)
class TaskFacts:
    """What the task rules look at (the portal builds this from its task row)."""

    candidate_roles: frozenset[str]
    unit_scope: str | None
    assignee: str | None = None
    excluded_users: frozenset[str] = frozenset()
    excluded_units: frozenset[str] = frozenset()
    subject_user_id: str | None = None
    kind: str = ""


TASK_ACTIONS = ("view", "claim", "release", "delegate", "assign", "complete")


def _task_refusal(principal: Principal, task: TaskFacts) -> Problem | None:
    """Why the principal may not decide this task at all (four-eyes, conflict of interest, role, scope)."""
    if principal.user_id in task.excluded_users:
        return forbidden("Four-eyes rule: you took part in an earlier step of this case and may not decide it",
                         "Nguyên tắc bốn mắt: bạn đã tham gia bước trước của hồ sơ này nên không được quyết định")
    if task.subject_user_id is not None and task.subject_user_id == principal.user_id:
        return forbidden("Nobody decides on themselves: this task concerns you",
                         "Không ai tự quyết định về chính mình: công việc này liên quan đến bạn")
    if principal.unit is not None and principal.unit in task.excluded_units:
        return forbidden(f"Conflict of interest: the case belongs to your own unit ({principal.unit})",
                         f"Xung đột lợi ích: hồ sơ thuộc chính đơn vị của bạn ({principal.unit})")
    if task.assignee is not None and task.assignee != principal.user_id:
        return forbidden(f"The task is held by {task.assignee}; only they may act on it",
                         f"Công việc đang do {task.assignee} xử lý; chỉ người đó được thực hiện")
    # the holder is checked exactly as a claimant is: holding a task never widens who may decide it
    if not principal.roles.intersection(task.candidate_roles):
        return forbidden("Your roles are not among the task's candidate groups",
                         "Vai trò của bạn không thuộc nhóm được giao công việc này")
    if not principal.covers_unit(task.unit_scope):
        return forbidden(f"Unit {task.unit_scope} is outside your scope",
                         f"Đơn vị {task.unit_scope} nằm ngoài phạm vi của bạn")
    return None


def authorize_task(principal: Principal, task: TaskFacts, action: str) -> None:
    """Raise a 403 (reason in Vietnamese and English) unless the principal may perform the action on the task.

    view: a possible decider, the holder, or the Organization Board (oversight); claim/complete: a decider
    (candidate role, unit scope, not excluded by four-eyes or conflict of interest, and the holder when the
    task is held); release/delegate: the holder (or a decider of an unheld task), or the Organization Board;
    assign: the Organization Board.
    """
    if action not in TASK_ACTIONS:
        raise forbidden(f"Unknown task action {action}", f"Thao tác không xác định {action}")
    board = bool(principal.roles.intersection(PERMISSIONS["task.assign"]))
    if action == "assign":
        if not board:
            raise forbidden("Only the Organization Board assigns tasks", "Chỉ Ban Tổ chức được giao công việc")
        return
    refusal = _task_refusal(principal, task)
    if refusal is None:
        return
    if action in ("view", "release", "delegate") and board:
        return
    raise refusal


def decider_refusal(person: Principal, task: TaskFacts) -> Problem | None:
    """Why this person could not decide the task themselves were it theirs (role, unit scope, four-eyes, conflict
    of interest, own case), or None."""
    return _task_refusal(person, replace(task, assignee=None))


def personal_refusal(task: TaskFacts) -> Problem | None:
    """A personal decision (a committee member's vote, an examiner's mark …) is never handed to anyone."""
    if task.kind not in PERSONAL_TASK_KINDS:
        return None
    return Problem(403, "personal_decision", "Forbidden", "Không có quyền",
                   "This is a personal decision (a vote, a mark): it cannot be delegated, assigned or substituted",
                   "Đây là quyết định của cá nhân (phiếu biểu quyết, điểm chấm): không được ủy quyền, giao lại "
                   "hay thay thế")


def authorize_handover(target_id: str, target: Principal | None, task: TaskFacts) -> None:
    """Raise unless the task may go to this person by assignment, delegation or substitution: never a personal
    decision (403), only someone the directory knows (422) and who could decide the task themselves (422)."""
    refusal = personal_refusal(task)
    if refusal is not None:
        raise refusal
    if target is None:
        raise Problem(422, "unknown_person", "Unknown person", "Không rõ người nhận",
                      f"{target_id} is not in the directory of people who may decide tasks",
                      f"{target_id} không có trong danh bạ những người được xử lý công việc")
    why = decider_refusal(target, task)
    if why is not None:
        raise Problem(422, "holder_cannot_decide", "The person could not decide this task",
                      "Người nhận không được quyết định công việc này",
                      f"{target_id} could not decide this task themselves: {why.detail_en}",
                      f"{target_id} không được tự quyết định công việc này: {why.detail_vi}")


def exclusion_keys(*, users: Iterable[str] = (), units: Iterable[str] = ()) -> list[str]:
    """A task's exclusions as index keys (four-eyes ``user:<id>``, conflict of interest ``unit:<code>``)."""
    return list(dict.fromkeys([*(f"user:{u}" for u in users), *(f"unit:{u}" for u in units)]))


def principal_exclusion_keys(principal: Principal) -> list[str]:
    """The keys under which a task excluding this principal is indexed."""
    return exclusion_keys(users=[principal.user_id], units=[principal.unit] if principal.unit else [])


def excluded_for(principal: Principal, exclusion_key: Any, exclusion_task_id: Any) -> Any:
    """The ids of the tasks this principal may not decide, from the exclusion index (see ``exclusion_keys``)."""
    from sqlalchemy import select

    return select(exclusion_task_id).where(exclusion_key.in_(principal_exclusion_keys(principal)))


def unit_parts(principal: Principal) -> list[str]:
    """My unit scope as disjoint parts: every unit when province-wide, else tasks without a unit and those of
    my units (a condition with an OR between them is no index range)."""
    if principal.province_wide:
        return ["all"]
    return ["none", "mine"] if principal.units else ["none"]


def task_inbox_clause(principal: Principal, *, task_id: Any, assignee: Any, unit_scope: Any, subject_user_id: Any,
                      excluded_users: Any = None, excluded_units: Any = None,
                      candidate_task_id: Any = None, candidate_role: Any = None, candidate_unit: Any = None,
                      excluded: Any = None, branch: str = "both", unit_part: str | None = None) -> Any:
    """The same rules as a SQL condition: the tasks the principal may decide (``_task_refusal`` is None).

    Columns are passed in (the portal owns the tables). ``branch`` "both" reads a task row, whose excluded lists
    are stored as ``|a|b|``. "held" (the tasks I hold) and "pickable" (the claimable ones, over a candidate index
    whose rows carry the task's assignee, unit and subject) leave out ``excluded``: the ids ``excluded_for`` reads
    from the exclusion index (given once, e.g. as a common table expression, for several parts), so they never
    read a task row. ``unit_part`` narrows "pickable" to one of the disjoint ``unit_parts`` of my scope.
    """
    from sqlalchemy import and_, false, or_, select, true

    me = principal.user_id
    def in_scope(unit: Any) -> Any:
        return true() if principal.province_wide else or_(unit.is_(None), unit.in_(sorted(principal.units)))

    roles = sorted(principal.roles)
    claimable = and_(assignee.is_(None), in_scope(unit_scope)) if roles else false()
    not_mine = or_(subject_user_id.is_(None), subject_user_id != me)
    if branch in ("held", "pickable"):
        if excluded is None:
            raise ValueError(f"branch {branch!r} needs the excluded task ids (see excluded_for)")
        not_excluded = and_(not_mine, task_id.not_in(excluded))
        if branch == "held":
            if not roles or candidate_task_id is None:
                return false() if not roles else and_(assignee == me, not_excluded)
            # held, and decidable by my roles in my units (the holder is checked as a claimant is)
            mine_to_decide = select(candidate_task_id).where(candidate_role.in_(roles), in_scope(candidate_unit))
            return and_(assignee == me, not_excluded, task_id.in_(mine_to_decide))
        if not roles:
            return false()
        scope = {None: in_scope(unit_scope), "all": true(), "none": unit_scope.is_(None),
                 "mine": unit_scope.in_(sorted(principal.units))}[unit_part]
        return and_(candidate_role.in_(roles), assignee.is_(None), scope, not_excluded)
    not_excluded = and_(
        ~excluded_users.contains(f"|{me}|", autoescape=True), not_mine,
        true() if principal.unit is None else ~excluded_units.contains(f"|{principal.unit}|", autoescape=True),
    )
    pickable = select(candidate_task_id).where(candidate_role.in_(roles or [""]), in_scope(candidate_unit))
    # driven by the indexed id set (decidable by my roles in my units), then filtered: unheld, or held by me (the
    # holder is checked exactly as a claimant is)
    return and_(task_id.in_(pickable), or_(assignee == me, claimable), not_excluded)


# --- Every route of every service: what it asks and how its unit scope applies (the authorisation matrix). ----------
# scope: "public" (no token: probes, documentation; a ballot's single-use token is its own credential), "role" (the
# action's roles; the data is not a unit's), "unit" (the action's roles, and the unit of the record or of the body
# must be in the caller's scope: a refusal is 403, or 404 where existence itself is the secret), "list" (the action's
# roles; the rows are only the caller's units'), "task" (the action's roles, then ``authorize_task`` on the task:
# candidate role, unit scope, holder, four-eyes exclusions), "session" (the portal's own pages: its session cookie,
# refused without one). tests/security/test_authz_matrix.py checks every route against this table, for every role,
# with a caller of the record's own unit, of another unit, and of no unit.
_OPS = {f"{svc} GET {path}": (None, "public") for svc in ("registration", "scheduling", "selection", "portal")
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")}
ROUTE_RULES: dict[str, tuple[str | None, str]] = {
    **_OPS,
    **{f"{svc} GET /audit": ("audit.read", "role") for svc in ("registration", "scheduling", "selection", "portal")},
    # registration
    "registration POST /units": ("unit.create", "role"),
    "registration GET /units": ("unit.read", "list"),
    "registration POST /units/reorganisations": ("unit.reorganise", "unit"),
    "registration GET /units/reorganisations": ("unit.read", "role"),
    "registration POST /units/import": ("unit.create", "role"),
    "registration GET /units/{code}/history": ("unit.read", "unit"),
    "registration GET /units/{code}": ("unit.read", "unit"),
    "registration POST /officials": ("official.write", "unit"),
    "registration GET /officials": ("official.read", "list"),
    "registration GET /officials/{official_id}": ("official.read", "unit"),
    "registration GET /officials/{official_id}/reads": ("dossier_read.read", "role"),
    "registration POST /officials/{official_id}/dispatches": ("dispatch.write", "role"),
    "registration GET /officials/{official_id}/dispatches": ("official.read", "unit"),
    "registration POST /officials/{official_id}/dispatches/{dispatch_id}/leave": ("dispatch.write", "role"),
    "registration GET /planning/structure": ("report.read", "role"),
    "registration GET /dossier-reads": ("dossier_read.read", "role"),
    "registration POST /officials/import": ("official.import", "unit"),
    "registration POST /officials/import/file": ("official.import", "unit"),
    "registration POST /registrations": ("registration.submit", "unit"),
    "registration GET /registrations": ("registration.read", "list"),
    "registration GET /registrations/{registration_id}": ("registration.read", "unit"),
    "registration GET /conflicts": ("conflict.read", "role"),
    "registration GET /compliance": ("compliance.read", "list"),
    # scheduling
    "scheduling GET /units": ("catalogue.read", "role"),
    "scheduling GET /reports/annual": ("report.read", "role"),
    "scheduling POST /programmes": ("programme.write", "role"),
    "scheduling POST /programmes/{code}/versions": ("programme.write", "role"),
    "scheduling GET /programmes": ("catalogue.read", "role"),
    "scheduling GET /programmes/{code}": ("catalogue.read", "role"),
    "scheduling GET /programmes/standard": ("catalogue.read", "role"),
    "scheduling POST /plans": ("plan.write", "role"),
    "scheduling GET /plans": ("catalogue.read", "role"),
    "scheduling GET /plans/{plan_id}": ("catalogue.read", "role"),
    "scheduling GET /plans/{plan_id}/progress": ("catalogue.read", "role"),
    "scheduling POST /classes": ("class.write", "role"),
    "scheduling GET /classes": ("catalogue.read", "role"),
    "scheduling GET /classes/{class_id}": ("catalogue.read", "role"),
    "scheduling GET /classes/{class_id}/roster": ("enrolment.read", "list"),
    "scheduling GET /classes/{class_id}/waitlist": ("enrolment.read", "list"),
    "scheduling GET /classes/{class_id}/timetable": ("catalogue.read", "role"),
    "scheduling POST /classes/{class_id}/close-enrolment": ("class.decide", "role"),
    "scheduling POST /classes/{class_id}/attendance": ("attendance.write", "role"),
    "scheduling POST /classes/{class_id}/results": ("attendance.write", "role"),
    "scheduling POST /classes/{class_id}/enrolments": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/withdraw": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/accept": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/decline": ("enrolment.write", "unit"),
    "scheduling GET /officials/{official_id}/classes": ("enrolment.read", "list"),
    "scheduling GET /enrolment-requests": ("enrolment.write", "list"),
    "scheduling POST /enrolment-requests/{request_id}/place": ("enrolment.write", "unit"),
    # selection
    "selection POST /campaigns": ("campaign.write", "role"),
    "selection POST /campaigns/{campaign_id}/nominations": ("nomination.propose", "unit"),
    "selection POST /campaigns/{campaign_id}/conferences/{code}/tokens": ("campaign.write", "role"),
    "selection POST /ballots": (None, "public"),
    "selection GET /campaigns": ("campaign.read", "role"),
    "selection GET /campaigns/{campaign_id}": ("campaign.read", "role"),
    "selection GET /campaigns/{campaign_id}/conferences": ("campaign.read", "role"),
    "selection GET /campaigns/{campaign_id}/candidates": ("campaign.read", "role"),
    "selection GET /campaigns/{campaign_id}/exam-results": ("campaign.read", "role"),
    "selection GET /campaigns/{campaign_id}/decision": ("campaign.read", "role"),
    # portal: the inbox API
    "portal GET /tasks": ("task.read", "list"),
    "portal GET /tasks/{task_id}": ("task.read", "task"),
    "portal POST /tasks/{task_id}/claim": ("task.read", "task"),
    "portal POST /tasks/{task_id}/release": ("task.read", "task"),
    "portal POST /tasks/{task_id}/assign": ("task.assign", "role"),
    "portal POST /tasks/{task_id}/delegate": ("task.read", "task"),
    "portal POST /tasks/bulk-complete": ("task.read", "task"),
    "portal POST /tasks/{task_id}/complete": ("task.read", "task"),
    "portal POST /substitutes": ("task.substitute", "role"),
    # portal: the approvers' pages (the session cookie; the same task rules behind them)
    "portal GET /": (None, "public"),
    "portal GET /ui/static/portal.css": (None, "public"),
    "portal GET /ui/static/portal.js": (None, "public"),
    "portal GET /ui/marking": ("task.read", "session"),
    "portal GET /ui/signin": (None, "public"),
    "portal POST /ui/signin": (None, "public"),
    "portal POST /ui/signout": (None, "public"),
    "portal GET /ui/inbox": ("task.read", "session"),
    "portal GET /ui/tasks/{task_id}": ("task.read", "session"),
    "portal POST /ui/tasks/{task_id}/hold": ("task.read", "session"),
    "portal POST /ui/tasks/{task_id}/act": ("task.read", "session"),
}


def expected(route: str, roles: frozenset[str], *, covers_target: bool) -> bool:
    """Whether the table allows a caller with these roles (covering the route's unit, or not) past authorisation."""
    action, scope = ROUTE_RULES[route]
    if action is None:
        return True
    if not roles.intersection(PERMISSIONS[action]):
        return False
    return covers_target or scope not in ("unit",)
