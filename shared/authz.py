"""Who may do what: the one place every endpoint and every task asks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import PORTAL_SESSION, SESSION_COOKIE, Principal, decode_token, unauthenticated
from shared.config import SERVICES, Settings
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
    # who may record a dispatch at all; which of them may for a given official: its managing body's approver roles
    # (policy data management_authority, checked by ``authorize_managing_body``)
    "dispatch.write": frozenset({"organization_board", "committee_chair"}),
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
    # a conference's ballot tokens are handed out in person by the Organization Board, never by a service client
    "ballot.issue": frozenset({"organization_board"}),
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


# actions only a person may take: a caller carrying the service role is refused even if it names a person's role too
PERSON_ONLY: frozenset[str] = frozenset({"ballot.issue"})


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
    if action in PERSON_ONLY and "service" in principal.roles:
        raise forbidden(f"'{action}' is done by a person, not a service client",
                        f"'{action}' phải do một người thực hiện, không do dịch vụ")
    if not principal.covers_unit(unit):
        raise forbidden(f"Unit {unit} is outside your scope", f"Đơn vị {unit} nằm ngoài phạm vi của bạn")



def authorize_managing_body(principal: Principal, approver_roles: Iterable[str], *, body_vi: str, body_en: str) -> None:
    """Raise a 403 unless one of the principal's roles is among the approver roles of the body that manages the
    official (management authority, policy data ``management_authority``): a decision on a provincially managed
    cadre is not made by a unit, nor a unit's by someone outside it."""
    if not principal.roles.intersection(approver_roles):
        raise Problem(403, "outside_managing_body", "Forbidden", "Không có quyền",
                      f"This official is managed by {body_en}; your roles are not among its approvers",
                      f"Cán bộ này thuộc diện {body_vi} quản lý; vai trò của bạn không thuộc những người duyệt "
                      f"của cơ quan đó")

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


# Who may decide a task: every row must hold, in this order (the first that fails is the refusal given). Each row
# names the task's fact (a TaskFacts field) and the relation the caller must stand in to it (TASK_RELATIONS). The
# holder is checked exactly as a claimant is: holding a task never widens who may decide it. ``authorize_task``
# reads this table; the portal builds the inbox's SQL from it (services/portal/service/inbox.py, one SQL reading per
# relation) and tests/unit/portal/test_one_place.py checks that both agree.
@dataclass(frozen=True)
class TaskRule:
    """One condition every decider of a task meets, with the refusal (``{me}``: the caller, ``{task}``: the facts)."""

    name: str
    fact: str
    relation: str
    refusal_en: str
    refusal_vi: str


TASK_RULES: tuple[TaskRule, ...] = (
    TaskRule("four_eyes", "excluded_users", "user_not_in",
             "Four-eyes rule: you took part in an earlier step of this case and may not decide it",
             "Nguyên tắc bốn mắt: bạn đã tham gia bước trước của hồ sơ này nên không được quyết định"),
    TaskRule("own_case", "subject_user_id", "not_user",
             "Nobody decides on themselves: this task concerns you",
             "Không ai tự quyết định về chính mình: công việc này liên quan đến bạn"),
    TaskRule("conflict_of_interest", "excluded_units", "unit_not_in",
             "Conflict of interest: the case belongs to your own unit ({me.unit})",
             "Xung đột lợi ích: hồ sơ thuộc chính đơn vị của bạn ({me.unit})"),
    TaskRule("holder", "assignee", "none_or_user",
             "The task is held by {task.assignee}; only they may act on it",
             "Công việc đang do {task.assignee} xử lý; chỉ người đó được thực hiện"),
    TaskRule("candidate_role", "candidate_roles", "shares_role",
             "Your roles are not among the task's candidate groups",
             "Vai trò của bạn không thuộc nhóm được giao công việc này"),
    TaskRule("kind_role", "kind", "kind_role",
             "Only the Organization Board decides this kind of task (a stalled process: run it again or stop it)",
             "Chỉ Ban Tổ chức được quyết định loại công việc này (quy trình bị gián đoạn: chạy lại hoặc dừng)"),
    TaskRule("unit_scope", "unit_scope", "covered",
             "Unit {task.unit_scope} is outside your scope",
             "Đơn vị {task.unit_scope} nằm ngoài phạm vi của bạn"),
)

# kinds that only some roles decide, whatever roles the task was filed or escalated to (the Board alone decides
# what happens to a process whose step keeps failing: contracts.stalls)
TASK_KIND_ROLES: dict[str, frozenset[str]] = {"process_stalled": frozenset({"organization_board"})}


def kinds_refused(me: Principal) -> list[str]:
    """The kinds of TASK_KIND_ROLES this caller may not decide (none of my roles is among theirs)."""
    return sorted(k for k, roles in TASK_KIND_ROLES.items() if not me.roles.intersection(roles))


# relation -> whether the caller (first argument) stands in it to the task's fact (second)
TASK_RELATIONS: dict[str, Callable[[Principal, Any], bool]] = {
    "user_not_in": lambda me, users: me.user_id not in users,  # I am not among them
    "unit_not_in": lambda me, units: me.unit is None or me.unit not in units,  # my own unit is not among them
    "not_user": lambda me, user: user is None or user != me.user_id,  # nobody, or someone else
    "none_or_user": lambda me, user: user is None or user == me.user_id,  # nobody, or me
    "shares_role": lambda me, roles: bool(me.roles.intersection(roles)),  # one of my roles is among them
    "covered": lambda me, unit: me.covers_unit(unit),  # no unit, or one in my scope
    "kind_role": lambda me, kind: kind not in kinds_refused(me),  # a kind any role decides, or one of mine
}

# task action -> who may perform it: "decider" (meets every row of TASK_RULES), "board" (the roles of task.assign:
# oversight of every task, whether or not they could decide it)
TASK_ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"decider", "board"}),
    "claim": frozenset({"decider"}),
    "release": frozenset({"decider", "board"}),
    "delegate": frozenset({"decider", "board"}),
    "assign": frozenset({"board"}),
    "complete": frozenset({"decider"}),
}


def _task_refusal(principal: Principal, task: TaskFacts) -> Problem | None:
    """Why the principal may not decide this task (the first row of TASK_RULES it fails), or None."""
    for rule in TASK_RULES:
        if not TASK_RELATIONS[rule.relation](principal, getattr(task, rule.fact)):
            return forbidden(rule.refusal_en.format(me=principal, task=task),
                             rule.refusal_vi.format(me=principal, task=task))
    return None


def authorize_task(principal: Principal, task: TaskFacts, action: str) -> None:
    """Raise a 403 (reason in Vietnamese and English) unless the principal may perform the action on the task
    (TASK_ACTIONS: a decider by TASK_RULES, or the Organization Board where the action allows oversight)."""
    who = TASK_ACTIONS.get(action)
    if who is None:
        raise forbidden(f"Unknown task action {action}", f"Thao tác không xác định {action}")
    if "board" in who and principal.roles.intersection(PERMISSIONS["task.assign"]):
        return
    if "decider" not in who:
        raise forbidden("Only the Organization Board assigns tasks", "Chỉ Ban Tổ chức được giao công việc")
    refusal = _task_refusal(principal, task)
    if refusal is not None:
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
    **{f"{svc} GET /audit/recent": ("audit.read", "role") for svc in SERVICES},
    **{f"{svc} GET /audit/verify": ("audit.verify", "role") for svc in SERVICES},
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
    "registration POST /registrations/check": ("registration.submit", "unit"),
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
    "scheduling POST /classes/{class_id}/enrolments/bulk": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/withdraw": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/accept": ("enrolment.write", "unit"),
    "scheduling POST /enrolments/{enrolment_id}/decline": ("enrolment.write", "unit"),
    "scheduling GET /officials/{official_id}/classes": ("enrolment.read", "list"),
    "scheduling GET /enrolment-requests": ("enrolment.write", "list"),
    "scheduling POST /enrolment-requests/{request_id}/place": ("enrolment.write", "unit"),
    # selection
    "selection POST /campaigns": ("campaign.write", "role"),
    "selection POST /campaigns/{campaign_id}/nominations": ("nomination.propose", "unit"),
    "selection POST /campaigns/{campaign_id}/conferences/{code}/tokens": ("ballot.issue", "role"),
    "selection POST /campaigns/{campaign_id}/conferences/{code}/close": ("ballot.issue", "role"),
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
    "portal GET /substitutes": ("task.substitute", "role"),
    "portal POST /substitutes/{substitute_id}/end": ("task.substitute", "role"),
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
    "portal GET /ui/tasks/{task_id}/record": ("task.read", "session"),  # whoever may view the task (TASK_ACTIONS)
    "portal POST /ui/tasks/{task_id}/delegate": ("task.read", "session"),  # as POST /tasks/{task_id}/delegate
    # portal: the role pages (services/portal/pages): the session cookie, the action of the API each page reads
    "portal GET /ui/start": (None, "public"),
    "portal GET /ui/static/pages.css": (None, "public"),
    "portal GET /ui/static/pages.js": (None, "public"),
    "portal GET /ui/officials/upload": ("official.import", "session"),
    "portal POST /ui/officials/upload": ("official.import", "session"),
    "portal GET /ui/officials": ("official.read", "session"),
    "portal GET /ui/officials/{official_id}": ("official.read", "session"),
    "portal GET /ui/needs/new": ("registration.submit", "session"),
    "portal POST /ui/needs/check": ("registration.submit", "session"),
    "portal POST /ui/needs": ("registration.submit", "session"),
    "portal GET /ui/registrations": ("registration.read", "session"),
    "portal GET /ui/conflicts": ("conflict.read", "session"),
    "portal GET /ui/compliance": ("compliance.read", "session"),
    "portal GET /ui/classes": ("catalogue.read", "session"),
    "portal GET /ui/classes/{class_id}": ("catalogue.read", "session"),
    "portal GET /ui/plans": ("catalogue.read", "session"),
    "portal GET /ui/campaigns": ("campaign.read", "session"),
    "portal GET /ui/report": ("report.read", "session"),
    "portal GET /ui/report.xlsx": ("report.read", "session"),
    "portal GET /ui/audit": ("audit.read", "session"),
    "portal GET /ui/dossier-reads": ("dossier_read.read", "session"),
    "portal GET /ui/away": ("task.substitute", "session"),
    "portal POST /ui/away": ("task.substitute", "session"),
    "portal POST /ui/away/{substitute_id}/end": ("task.substitute", "session"),
}


def expected(route: str, roles: frozenset[str], *, covers_target: bool) -> bool:
    """Whether the table allows a caller with these roles (covering the route's unit, or not) past authorisation."""
    action, scope = ROUTE_RULES[route]
    if action is None:
        return True
    if not roles.intersection(PERMISSIONS[action]) or (action in PERSON_ONLY and "service" in roles):
        return False
    return covers_target or scope not in ("unit",)
