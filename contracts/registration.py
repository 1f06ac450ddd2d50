"""What the workflows and registration's activities exchange (queue ``registration``): plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import queues
from contracts.activity import stub
from contracts.timing import TASK_DUE_SECONDS, TASK_GRACE_SECONDS


@dataclass
class RegistrationReviewInput:
    """Start the Organization Board's review of a flagged training-need registration."""

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
