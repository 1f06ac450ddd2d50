"""Human tasks in workflows: a workflow asks a person through the portal's inbox and waits durably.

The contract every process follows (registration review, below-target classes, nomination and screening
confirmation, essay marks, interview scores, committee votes):
1. the workflow calls ``await self.ask(TaskRequest(...))``; a ``portal.create_task`` activity puts the task in the
   inbox (idempotent on workflow id + task key);
2. the portal checks who may act (shared.authz, the one place), then sends the ``complete_task`` Update;
3. the validator here refuses a stale, repeated or unknown action; the handler records the decision;
4. overdue → ``portal.task_overdue`` (a reminder), after the grace → escalation to ``escalation_roles``;
5. the decision is closed in the portal by ``portal.close_task``, which writes the portal's audit record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

PORTAL_QUEUE = "portal"
COMPLETE_TASK_UPDATE = "complete_task"
_ACTIVITY_OPTS: dict[str, Any] = {
    "task_queue": PORTAL_QUEUE,
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)),
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


class HumanTasks:
    """Mixin for workflows that wait on people. Subclasses call ``super().__init__()``."""

    def __init__(self) -> None:
        self._open_tasks: dict[str, TaskRequest] = {}
        self._decisions: dict[str, TaskDecision] = {}

    @workflow.update(name=COMPLETE_TASK_UPDATE)
    async def complete_task(self, decision: TaskDecision) -> str:
        """Record a person's decision on an open task."""
        self._decisions[decision.task_key] = decision
        return "accepted"

    @complete_task.validator
    def _validate_completion(self, decision: TaskDecision) -> None:
        request = self._open_tasks.get(decision.task_key)
        if request is None or decision.task_key in self._decisions:
            raise ValueError("task_not_open: the task is already decided or no longer open / "
                             "công việc đã được xử lý hoặc không còn mở")
        allowed = {a.name: a for a in request.actions}
        action = allowed.get(decision.action)
        if action is None:
            raise ValueError(f"action_not_allowed: {decision.action} / hành động không được phép")
        if action.requires_comment and not decision.comment.strip():
            raise ValueError("comment_required: a comment is required / cần nhập ý kiến")
        for f in action.inputs:
            value = decision.inputs.get(f.name)
            if f.required and value in (None, ""):
                raise ValueError(f"input_missing: {f.name} / thiếu {f.label_vi}")
            if f.kind == "number" and value not in (None, ""):
                number = float(value)
                if (f.minimum is not None and number < f.minimum) or (f.maximum is not None and number > f.maximum):
                    raise ValueError(f"input_out_of_range: {f.name} / {f.label_vi} ngoài khoảng cho phép")

    async def ask(self, request: TaskRequest) -> TaskDecision:
        """Put a task in the inbox and wait (durably) for its decision, reminding and escalating when overdue."""
        info = workflow.info()
        # open before the task is filed: an approver may act the moment it appears in the inbox
        self._open_tasks[request.task_key] = request
        task_id: str = await workflow.execute_activity(
            "portal.create_task",
            CreateTaskInput(info.workflow_id, info.run_id, info.workflow_type, COMPLETE_TASK_UPDATE, request),
            result_type=str, **_ACTIVITY_OPTS)
        key = request.task_key
        if not await self._wait(key, request.due_in_seconds):
            await workflow.execute_activity("portal.task_overdue", TaskOverdueInput(task_id, "reminded"),
                                            **_ACTIVITY_OPTS)
            if not await self._wait(key, request.escalate_after_seconds):
                await workflow.execute_activity(
                    "portal.task_overdue", TaskOverdueInput(task_id, "escalated", request.escalation_roles),
                    **_ACTIVITY_OPTS)
                await workflow.wait_condition(lambda: key in self._decisions)
        decision = self._decisions[key]
        self._open_tasks.pop(key, None)
        await workflow.execute_activity("portal.close_task", CloseTaskInput(task_id, decision), **_ACTIVITY_OPTS)
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
