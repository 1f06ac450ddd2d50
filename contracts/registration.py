"""What the workflows and registration's activities exchange (queue ``registration``): plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts import queues
from contracts.activity import stub
from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS


@dataclass
class ManagingAuthority:
    """The body that manages the official (registration decided it by the management-authority rule in force on
    the rule date): its approver roles decide the review; the rule that applied, in words, goes in the dossier."""

    body: str  # standing_committee | organization_board | unit_leadership
    body_vi: str
    body_en: str
    approver_roles: list[str]
    rule_id: str
    rule_vi: str
    rule_en: str
    version_id: str


# the reviewers of a registration flagged before registration recorded its managing body
DEFAULT_REVIEWERS = ("organization_board",)


@dataclass
class RegistrationReviewInput:
    """Start the review of a flagged training-need registration by the approvers of the official's managing body."""

    registration_id: str
    unit_code: str
    official_name: str
    programme_code: str
    plan_year: int
    class_id: str | None
    findings: list[dict[str, str]]
    policy_version: str
    due_in_seconds: int = TASK_DUE_SECONDS
    escalate_after_seconds: int = TASK_GRACE_SECONDS
    submitted_by: str = ""  # who submitted the registration: never its reviewer
    authority: ManagingAuthority | None = None  # None: flagged before the managing body was recorded
    facts: dict[str, Any] = field(default_factory=dict)  # RegistrationFlagged's dossier ({} on older events)
    official_id: str = ""  # the official's record, for the reviewer's link to it ("" on a run started before)

    def reviewer_roles(self) -> list[str]:
        """The task's candidate roles: the managing body's approvers."""
        return list(self.authority.approver_roles) if self.authority else list(DEFAULT_REVIEWERS)


@dataclass
class ApplyReviewDecisionInput:
    """The board's decision on a registration, for registration to apply (idempotent on the registration)."""

    registration_id: str
    action: str  # approve | refuse | return
    comment: str
    actor_id: str
    actor_role: str
    on_behalf_of: str | None
    workflow_id: str
    run_id: str
    task_id: str = ""


@dataclass
class ApplyReviewDecisionResult:
    """The registration's status after the decision (unchanged when it was already decided)."""

    registration_id: str
    status: str
    changed: bool


def review_workflow_id(registration_id: str) -> str:
    """One review per registration."""
    return f"registration-review-{registration_id}"


@stub("registration.apply_review_decision", queues.REGISTRATION)
async def apply_review_decision(inp: ApplyReviewDecisionInput) -> ApplyReviewDecisionResult:
    """Apply the board's decision: status, audit record and (approved) RegistrationApproved, in one commit."""
    raise NotImplementedError
