"""Human tasks in workflows: a workflow asks a person through the portal's inbox and waits durably.

The contract every process follows (registration review, below-target classes, nomination and screening
confirmation, essay marks, interview scores, committee votes):
1. the workflow calls ``await self.ask(TaskRequest(...))``; a ``portal.create_task`` activity puts the task in the
   inbox (idempotent on workflow id + task key);
2. the portal checks who may act (shared.authz, the one place), then sends the ``complete_task`` Update;
3. the validator here refuses a decision the portal did not seal (shared.seal: signature, expiry, this workflow and
   task), one by someone the task was not filed for, and a stale, repeated or unknown action; the handler records
   the decision;
4. overdue → ``portal.task_overdue`` (a reminder), after the grace → escalation to ``escalation_roles``;
5. the decision is closed in the portal by ``portal.close_task``, which writes the portal's audit record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.errors import DecisionRefused, DomainError
    from shared import seal
    from shared.events.envelope import looks_like_personal_id
    from shared.number_rules import parse_number
    from shared.task_rules import PERSONAL_TASK_KINDS, subject_user
    from shared.temporal_errors import activity_options, refusal

PORTAL_QUEUE = "portal"
COMPLETE_TASK_UPDATE = "complete_task"
TASK_STATE_QUERY = "task_state"
_ACTIVITY_OPTS: dict[str, Any] = {
    "task_queue": PORTAL_QUEUE,
    **activity_options(PORTAL_QUEUE, seconds=30),  # the one bounded retry policy (shared.temporal_errors)
}


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
    due_in_seconds: int = 3 * 24 * 3600
    escalate_after_seconds: int = 2 * 24 * 3600
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


def refusal_of(error: DomainError) -> Exception:
    """The validator's refusal: an ApplicationError of the stable type DECISION_REFUSED, [code, en, vi] details."""
    return refusal(DecisionRefused(error.code, error.message_en, error.message_vi, field=error.field))


class HumanTasks:
    """Mixin for workflows that wait on people. Subclasses call ``super().__init__()``."""

    def __init__(self) -> None:
        self._open_tasks: dict[str, TaskRequest] = {}
        self._decisions: dict[str, TaskDecision] = {}
        self._task_ids: dict[str, str] = {}
        self._escalated: set[str] = set()

    @workflow.update(name=COMPLETE_TASK_UPDATE)
    async def complete_task(self, decision: TaskDecision) -> str:
        """Record a person's decision on an open task."""
        self._decisions[decision.task_key] = decision
        return "accepted"

    @complete_task.validator
    def _validate_completion(self, decision: TaskDecision) -> None:
        # the seal first: an unsigned or forged Update learns nothing about the task (not even whether it is open).
        # Validators are not replayed, so a rotated key never breaks the replay of an old history.
        # (the check runs with imports passed through: cryptography's Rust core imports its exception types lazily,
        # which must resolve to the host's modules, not to fresh copies inside the sandbox)
        with workflow.unsafe.imports_passed_through():
            try:
                seal.check(decision, workflow_id=workflow.info().workflow_id, now=workflow.now())
            except seal.SealRefused as refused:
                raise refusal_of(refused) from None
        request = self._open_tasks.get(decision.task_key)
        if request is None or decision.task_key in self._decisions:
            raise refusal_of(DecisionRefused("task_not_open", "The task is already decided or no longer open",
                                             "Công việc đã được xử lý hoặc không còn mở"))
        known_id = self._task_ids.get(decision.task_key)
        if known_id is not None and decision.task_id != known_id:
            raise refusal_of(DecisionRefused("task_mismatch", "The decision names another task",
                                             "Quyết định thuộc về công việc khác"))
        refusal = actor_refusal(request, decision, escalated=decision.task_key in self._escalated)
        if refusal:
            raise refusal_of(refusal)
        allowed = {a.name: a for a in request.actions}
        action = allowed.get(decision.action)
        if action is None:
            raise refusal_of(DecisionRefused("action_not_allowed", f"Action {decision.action} is not allowed",
                                             f"Hành động {decision.action} không được phép"))
        wrong = decision_input_refusal(action, decision.inputs, decision.comment)
        if wrong is not None:
            raise refusal_of(wrong)

    @workflow.query(name=TASK_STATE_QUERY)
    def task_state(self, task_key: str) -> TaskState:
        """Whether this run accepted a decision on a task (the portal's reconciler asks after a crash)."""
        decision = self._decisions.get(task_key)
        if decision is not None:
            return TaskState("decided", decision)
        return TaskState("open" if task_key in self._open_tasks else "unknown")

    async def ask(self, request: TaskRequest, *,
                  alongside_close: Callable[[TaskDecision], Awaitable[Any]] | None = None) -> TaskDecision:
        """Put a task in the inbox and wait (durably) for its decision, reminding and escalating when overdue.

        ``alongside_close``: what the caller does with the decision (e.g. record a mark in its service), run
        concurrently with closing the task in the portal (one activity round trip and one workflow task less per
        decision than one after the other); ``ask`` returns when both are done."""
        info = workflow.info()
        # open before the task is filed: an approver may act the moment it appears in the inbox
        self._open_tasks[request.task_key] = request
        task_id: str = await workflow.execute_activity(
            "portal.create_task",
            CreateTaskInput(info.workflow_id, info.run_id, info.workflow_type, COMPLETE_TASK_UPDATE, request),
            result_type=str, **_ACTIVITY_OPTS)
        key = request.task_key
        self._task_ids[key] = task_id
        if not await self._wait(key, request.due_in_seconds):
            await workflow.execute_activity("portal.task_overdue", TaskOverdueInput(task_id, "reminded"),
                                            **_ACTIVITY_OPTS)
            if not await self._wait(key, request.escalate_after_seconds):
                self._escalated.add(key)  # before the portal widens the task: an escalation role may act at once
                await workflow.execute_activity(
                    "portal.task_overdue", TaskOverdueInput(task_id, "escalated", request.escalation_roles),
                    **_ACTIVITY_OPTS)
                await workflow.wait_condition(lambda: key in self._decisions)
        decision = self._decisions[key]
        self._open_tasks.pop(key, None)
        self._task_ids.pop(key, None)
        self._escalated.discard(key)
        close = workflow.execute_activity("portal.close_task", CloseTaskInput(task_id, decision), **_ACTIVITY_OPTS)
        if alongside_close is None:
            await close
        else:
            await asyncio.gather(close, alongside_close(decision))
        return decision

    async def _wait(self, key: str, seconds: int) -> bool:
        try:
            await workflow.wait_condition(lambda: key in self._decisions, timeout=timedelta(seconds=seconds))
            return True
        except TimeoutError:
            return False

    async def settle(self) -> None:
        """Call before returning: lets in-flight Update handlers finish."""
        await workflow.wait_condition(workflow.all_handlers_finished)
