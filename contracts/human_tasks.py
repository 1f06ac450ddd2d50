"""What a workflow and the portal exchange about a human task: the request, the decision, the inbox activities'
inputs, and the rules both apply to a decision (who may take it, what its inputs must be).

The portal applies ``actor_refusal`` / ``decision_input_refusal`` before it sends the Update, the workflow's
validator again (``workflows.human_task``). Free of I/O: workflow code passes it through the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts import queues
from contracts.activity import stub
from contracts.errors import DecisionRefused, DomainError
from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS
from shared.events.envelope import looks_like_personal_id
from shared.number_rules import parse_number
from shared.task_rules import PERSONAL_TASK_KINDS, subject_user

COMPLETE_TASK_UPDATE = "complete_task"  # the Update the portal sends a decision with
TASK_STATE_QUERY = "task_state"  # the query the portal's reconciler asks after a crash


@dataclass
class TaskInputField:
    """One input an action needs (a mark, a number of days, a decision number …)."""

    name: str
    label_vi: str
    label_en: str
    kind: str = "text"  # text | number | date | choice
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: list[str] = field(default_factory=list)
    step: float | None = None  # a number's step (a mark: 0.1); the inbox's input, the portal and the validator


@dataclass
class TaskAction:
    """An action the approver may take, and what it means when signed."""

    name: str  # approve | refuse | return | mark | vote_approve | …
    label_vi: str
    label_en: str
    signature: str  # the meaning recorded in the audit trail: approve, refuse, mark, vote, decide …
    requires_comment: bool = False
    inputs: list[TaskInputField] = field(default_factory=list)


@dataclass
class TaskRequest:
    """What a workflow asks of a person."""

    task_key: str  # unique within the workflow run's process, e.g. "review" or "essay:AB12:round1"
    kind: str  # registration_review | class_below_target | nomination_confirmation | …
    title_vi: str
    title_en: str
    subject: str  # e.g. "registration:<id>"
    candidate_roles: list[str]
    actions: list[TaskAction]
    dossier: dict[str, Any] = field(default_factory=dict)
    unit_scope: str | None = None  # the unit the task concerns; the approver's scope must cover it
    assignee: str | None = None
    due_in_seconds: int = TASK_DUE_SECONDS
    escalate_after_seconds: int = TASK_GRACE_SECONDS
    escalation_roles: list[str] = field(default_factory=lambda: ["organization_board"])
    priority: int = 2  # 1 high … 3 low
    campaign: str | None = None
    excluded_users: list[str] = field(default_factory=list)  # four-eyes: who may not decide this
    excluded_units: list[str] = field(default_factory=list)  # conflict of interest: actors of these units may not


@dataclass
class CreateTaskInput:
    """The portal activity's input: the request plus where to send the Update."""

    workflow_id: str
    run_id: str
    workflow_type: str
    update_name: str
    request: TaskRequest


@dataclass
class CreateTasksInput:
    """Several tasks of one workflow filed at once (one activity, one unit of work in the portal)."""

    tasks: list[CreateTaskInput]


@dataclass
class TaskDecision:
    """A person's decision, as sent by the portal in the Update."""

    task_key: str
    task_id: str
    action: str
    inputs: dict[str, Any]
    comment: str
    actor_id: str
    actor_role: str
    on_behalf_of: str | None = None
    actor_unit: str | None = None
    dossier_digest: str = ""
    decided_at: str = ""
    # the portal's seal (shared.seal): which key signed, until when the authorisation holds, the signature
    expires_at: str = ""
    key_id: str = ""
    seal: str = ""


@dataclass
class TaskOverdueInput:
    """A reminder (stage "reminded") or an escalation (stage "escalated") for an open task."""

    task_id: str
    stage: str
    escalation_roles: list[str] = field(default_factory=list)


@dataclass
class CloseTaskInput:
    """Close a task in the inbox with its decision."""

    task_id: str
    decision: TaskDecision


@dataclass
class TaskState:
    """What the workflow knows of one of its tasks (the ``task_state`` query): ``decided`` (with the decision it
    accepted), ``open`` (still waiting for one) or ``unknown`` (never asked here, or asked by an earlier run)."""

    state: str
    decision: TaskDecision | None = None


def actor_refusal(request: TaskRequest, decision: TaskDecision, *, escalated: bool = False) -> DecisionRefused | None:
    """Why this actor may not decide the task as it was filed, or None.

    The portal decides who may act (shared.authz); this repeats, in the workflow, what the task itself says: a task
    filed for a named person is decided by that person (or, when it is not a personal decision, by someone acting on
    their behalf), in one of the task's roles, by nobody it excludes.
    """
    personal = request.kind in PERSONAL_TASK_KINDS
    if request.assignee and decision.actor_id != request.assignee and (
            personal or decision.on_behalf_of != request.assignee):
        return DecisionRefused("wrong_actor", f"The task was filed for {request.assignee}",
                               f"Công việc được giao cho {request.assignee}")
    if personal and decision.on_behalf_of:
        return DecisionRefused("personal_decision", "This decision cannot be taken on someone else's behalf",
                               "Quyết định này không thể thực hiện thay người khác")
    roles = set(request.candidate_roles) | (set(request.escalation_roles) if escalated else set())
    if decision.actor_role not in roles:
        return DecisionRefused("wrong_role", f"Role {decision.actor_role} may not decide this task",
                               f"Vai trò {decision.actor_role} không được quyết định công việc này")
    if decision.actor_id in request.excluded_users or (decision.on_behalf_of or "") in request.excluded_users:
        return DecisionRefused("excluded_actor", "This person may not decide this task (four-eyes)",
                               "Người này không được quyết định công việc này (nguyên tắc bốn mắt)")
    if decision.actor_id == subject_user(request.subject, request.dossier):
        return DecisionRefused("own_case", "Nobody decides on themselves", "Không ai tự quyết định về chính mình")
    if decision.actor_unit and decision.actor_unit in request.excluded_units:
        return DecisionRefused("excluded_unit", "The case belongs to the actor's own unit",
                               "Hồ sơ thuộc chính đơn vị của người quyết định")
    return None


def decision_input_refusal(action: TaskAction, inputs: dict[str, Any], comment: str) -> DomainError | None:
    """What is wrong with a decision's comment and inputs for this action, or None. The portal applies it before it
    sends the Update (422), the validator again (the decision is refused, not accepted and failed later)."""
    if action.requires_comment and not comment.strip():
        return DomainError("comment_required", "A comment is required", "Cần nhập ý kiến", field="comment")
    if looks_like_personal_id(comment):
        return DomainError("personal_id_in_text", "The comment must not contain a personal identification number "
                           "(12 digits)", "Ý kiến không được chứa số định danh cá nhân (12 chữ số)", field="comment")
    for f in action.inputs:
        value = inputs.get(f.name)
        if f.required and value in (None, ""):
            return DomainError("input_missing", f"{f.label_en} is required", f"Thiếu {f.label_vi}", field=f.name)
        if value in (None, ""):
            continue
        if f.kind == "number" and parse_number(value, minimum=f.minimum, maximum=f.maximum, step=f.step) is None:
            return DomainError("input_out_of_range", f"{f.label_en}: {_bounds_en(f)}",
                               f"{f.label_vi}: {_bounds_vi(f)}", field=f.name)
        if f.kind == "choice" and f.choices and str(value) not in f.choices:
            return DomainError("input_not_a_choice", f"{f.label_en}: choose one of the offered values",
                               f"{f.label_vi}: hãy chọn một giá trị trong danh sách", field=f.name)
        if isinstance(value, str) and looks_like_personal_id(value):
            return DomainError("personal_id_in_text", f"{f.label_en} must not contain a personal identification "
                               "number (12 digits)", f"{f.label_vi} không được chứa số định danh cá nhân (12 chữ số)",
                               field=f.name)
    return None


def _bounds_en(f: TaskInputField) -> str:
    step = f", in steps of {f.step:g}" if f.step is not None else ""
    return f"a number from {f.minimum:g} to {f.maximum:g}{step}" if f.minimum is not None and f.maximum is not None \
        else f"a number within the allowed range{step}"


def _bounds_vi(f: TaskInputField) -> str:
    step = f", bước {f.step:g}".replace(".", ",") if f.step is not None else ""
    return f"phải là số từ {f.minimum:g} đến {f.maximum:g}{step}" \
        if f.minimum is not None and f.maximum is not None else f"ngoài khoảng cho phép{step}"


# ---------------------------------------------------------------- the portal's activities (typed references)
@stub("portal.create_task", queues.PORTAL)
async def create_task(inp: CreateTaskInput) -> str:
    """File the task in the inbox; its id (a retry gets the same one)."""
    raise NotImplementedError


@stub("portal.create_tasks", queues.PORTAL)
async def create_tasks(inp: CreateTasksInput) -> list[str]:
    """File several tasks in the inbox at once; their ids, in order (a retry gets the same ones)."""
    raise NotImplementedError


@stub("portal.task_overdue", queues.PORTAL)
async def task_overdue(inp: TaskOverdueInput) -> None:
    """Remind or escalate an overdue task."""
    raise NotImplementedError


@stub("portal.close_task", queues.PORTAL)
async def close_task(inp: CloseTaskInput) -> None:
    """Close the task with its decision and write the portal's audit record."""
    raise NotImplementedError
