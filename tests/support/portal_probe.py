"""PortalProbe: the smallest process with a human decision (used to test the inbox end to end)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.human_tasks import TaskAction, TaskInputField, TaskRequest
    from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS
    from workflows.human_task import HumanTasks


@dataclass
class PortalProbeInput:
    """Who is asked, about what."""

    candidate_roles: list[str] = field(default_factory=lambda: ["organization_board"])
    kind: str = "portal_probe"  # no view schema: the portal shows its dossier as labelled rows
    unit_scope: str | None = None
    excluded_users: list[str] = field(default_factory=list)
    excluded_units: list[str] = field(default_factory=list)
    due_in_seconds: int = TASK_DUE_SECONDS
    escalate_after_seconds: int = TASK_GRACE_SECONDS
    assignee: str | None = None
    dossier: dict[str, Any] | None = None  # a kind with a view schema needs its view (contracts.tasks)
    actions: list[TaskAction] | None = None  # the kind's own actions (default: approve / refuse / mark)
    title_vi: str = "Xác nhận thử nghiệm"
    title_en: str = "Probe confirmation"


@dataclass
class PortalProbeResult:
    action: str
    actor_id: str
    on_behalf_of: str | None
    comment: str
    task_id: str
    inputs: dict[str, Any] = field(default_factory=dict)


@workflow.defn(name="PortalProbe")
class PortalProbe(HumanTasks):
    """Asks one question through the portal and returns the decision."""

    def __init__(self) -> None:
        super().__init__()
        self._status = "asking"

    @workflow.run
    async def run(self, inp: PortalProbeInput) -> PortalProbeResult:
        decision = await self.ask(TaskRequest(
            task_key="probe", kind=inp.kind, title_vi=inp.title_vi, title_en=inp.title_en,
            subject=f"probe:{workflow.info().workflow_id}", candidate_roles=inp.candidate_roles,
            unit_scope=inp.unit_scope, excluded_users=inp.excluded_users, excluded_units=inp.excluded_units,
            due_in_seconds=inp.due_in_seconds, escalate_after_seconds=inp.escalate_after_seconds,
            assignee=inp.assignee, dossier=inp.dossier or {"Nội dung": "Kiểm tra hộp công việc", "Số hồ sơ": "HS-01"},
            actions=inp.actions or [
                TaskAction("approve", "Phê duyệt", "Approve", "approve"),
                TaskAction("refuse", "Từ chối", "Refuse", "refuse", requires_comment=True),
                TaskAction("mark", "Chấm điểm", "Mark", "mark", inputs=[
                    TaskInputField("mark", "Điểm", "Mark", kind="number", minimum=0, maximum=100,
                                   step=0.1)])]))
        self._status = f"decided:{decision.action}"
        await self.settle()
        return PortalProbeResult(decision.action, decision.actor_id, decision.on_behalf_of, decision.comment,
                                 decision.task_id, dict(decision.inputs))

    @workflow.query
    def status(self) -> str:
        """Where the probe is."""
        return self._status
