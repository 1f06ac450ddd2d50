"""RegistrationReview: the approvers of the official's managing body review a flagged training-need registration.

Which body manages the official (management authority: the Standing Committee, the Organization Board or the unit)
registration decided when it flagged the registration; the task goes to that body's approver roles and its dossier
says which rule applied.

Started by the workflows process's starter (``workflows.starters``) on RegistrationFlagged (registration's outbox →
cadre.registration.v1), with id ``registration-review-<registration_id>``, so a redelivered event starts nothing new.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.human_tasks import TaskAction, TaskRequest
    from contracts.registration import (
        ApplyReviewDecisionInput,
        ApplyReviewDecisionResult,
        RegistrationReviewInput,
        apply_review_decision,
    )
    from contracts.tasks import RegistrationReviewView, ReviewFacts, dossier_of, finding_of
    from workflows.calls import call
    from workflows.human_task import HumanTasks


def authority_words(inp: RegistrationReviewInput) -> dict[str, str]:
    """The managing body and the rule that applied, in words, for the dossier (nothing when none was recorded)."""
    a = inp.authority
    if a is None:
        return {}
    return {"managing_body_vi": a.body_vi, "managing_body_en": a.body_en, "authority_vi": a.rule_vi,
            "authority_en": a.rule_en, "authority_version": a.version_id}


def review_actions() -> list[TaskAction]:
    """Approve, refuse, or return for correction (which needs a comment)."""
    return [
        TaskAction("approve", "Phê duyệt", "Approve", "approve"),
        TaskAction("refuse", "Từ chối", "Refuse", "refuse", requires_comment=True),
        TaskAction("return", "Trả lại để sửa", "Return for correction", "return", requires_comment=True),
    ]


@workflow.defn(name="RegistrationReview")
class RegistrationReview(HumanTasks):
    """Asks the managing body's approvers, then has registration apply the decision (status, audit,
    RegistrationApproved)."""

    process_words = ("Xét duyệt đăng ký đào tạo", "Training registration review")

    def __init__(self) -> None:
        super().__init__()
        self._status = "awaiting_review"

    @workflow.query
    def status(self) -> str:
        """awaiting_review, then the registration's status after the decision."""
        return self._status

    @workflow.run
    async def run(self, inp: RegistrationReviewInput) -> ApplyReviewDecisionResult:
        self.describe(f"{inp.official_name}, {inp.programme_code} ({inp.plan_year})",
                      f"{inp.official_name}, {inp.programme_code} ({inp.plan_year})")
        facts = ReviewFacts.of(inp.facts)
        programme = (facts.programme_name if facts else "") or inp.programme_code  # the name, where it is known
        request = TaskRequest(
            task_key="review", kind="registration_review",
            title_vi=f"Xem xét đăng ký của {inp.official_name} — {programme} ({inp.plan_year})",
            title_en=f"Review the registration of {inp.official_name} — {programme} ({inp.plan_year})",
            subject=f"registration:{inp.registration_id}", candidate_roles=inp.reviewer_roles(),
            actions=review_actions(), unit_scope=inp.unit_code, due_in_seconds=inp.due_in_seconds,
            escalate_after_seconds=inp.escalate_after_seconds,
            excluded_users=[inp.submitted_by] if inp.submitted_by else [],  # nobody reviews their own submission
            dossier=dossier_of(RegistrationReviewView(
                registration_id=inp.registration_id, official_name=inp.official_name, official_id=inp.official_id,
                unit_code=inp.unit_code, programme_code=inp.programme_code, plan_year=inp.plan_year,
                class_id=inp.class_id,
                findings=[finding_of(f) for f in inp.findings], policy_version=inp.policy_version,
                facts=facts, programme_name=programme if facts and facts.programme_name else "",
                **authority_words(inp))))
        decision = await self.ask(request)
        info = workflow.info()
        result = await call(apply_review_decision, ApplyReviewDecisionInput(
            registration_id=inp.registration_id, action=decision.action, comment=decision.comment,
            actor_id=decision.actor_id, actor_role=decision.actor_role, on_behalf_of=decision.on_behalf_of,
            workflow_id=info.workflow_id, run_id=info.run_id, task_id=decision.task_id))
        self._status = result.status
        await self.settle()
        return result
