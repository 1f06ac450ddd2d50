"""PaperMarking: one component (essay or interview) of one anonymous paper, marked independently.

Every marker gets their own inbox task at once; a task's dossier holds only the anonymisation code and the
paper's reference, never the candidate's identity nor another marker's mark, and no actor of the candidate's
unit may take it. The spread bands of marking.py then decide: the mean, or a task for the head of marking
(5 < spread < 10), or one for the council chair (spread ≥ 10).
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.tasks import Component, DiscrepancyView, PaperView, dossier_of
    from services.selection.decision import bands_of
    from services.selection.domain.marking import NeedsMarkingHead, Resolved, combine_marks, record_decision
    from workflows.human_task import HumanTasks, TaskAction, TaskDecision, TaskInputField, TaskRequest
    from workflows.selection.contracts import ComponentResult, MarkRecord, PaperInput
    from workflows.selection.opts import SELECTION_OPTS

TITLES = {"essay": ("Chấm bài viết", "Mark essay"), "interview": ("Chấm phỏng vấn", "Score interview")}


def _component(name: str) -> Component:
    return "interview" if name == "interview" else "essay"


def _mark_action(name: str = "mark", label: str = "Điểm") -> TaskAction:
    return TaskAction(name, "Nhập điểm", "Enter the mark", signature="mark",
                      inputs=[TaskInputField("mark", label, "Mark", kind="number", minimum=0, maximum=100)])


@workflow.defn(name="PaperMarking")
class PaperMarking(HumanTasks):
    """Independent marks from each marker, then the spread bands."""

    def __init__(self) -> None:
        super().__init__()
        self._marks: dict[str, str] = {}

    @workflow.query(name="progress")
    def progress(self) -> dict[str, int]:
        """How many marks are in (never the marks themselves)."""
        return {"marks_in": len(self._marks), "open_tasks": len(self._open_tasks)}

    async def _mark_by(self, inp: PaperInput, index: int, marker: str) -> TaskDecision:
        kind = "essay_mark" if inp.component == "essay" else "interview_score"
        vi, en = TITLES[inp.component]
        decision = await self.ask(TaskRequest(
            task_key=f"{inp.component}:{inp.code}:round{index + 1}", kind=kind,
            title_vi=f"{vi} — phách {inp.code} (lượt {index + 1})",
            title_en=f"{en} — code {inp.code} (round {index + 1})",
            subject=f"paper:{inp.code}", candidate_roles=["examiner"], actions=[_mark_action()],
            dossier=dossier_of(PaperView(code=inp.code, component=_component(inp.component),
                                         paper_ref=f"{inp.component}:{inp.code}")),
            assignee=marker, due_in_seconds=inp.due_in_seconds, escalate_after_seconds=2 * 24 * 3600,
            escalation_roles=["marking_head"], campaign=inp.campaign_id,
            excluded_units=[inp.unit_code], excluded_users=[m for m in inp.markers if m != marker]))
        await workflow.execute_activity("selection.record_mark", MarkRecord(
            inp.campaign_id, inp.code, inp.component, decision.actor_id, decision.actor_role,
            str(decision.inputs["mark"])), **SELECTION_OPTS)
        self._marks[decision.actor_id] = str(decision.inputs["mark"])
        return decision

    @workflow.run
    async def run(self, inp: PaperInput) -> ComponentResult:
        bands = bands_of(inp.bands)
        decisions = await asyncio.gather(*(self._mark_by(inp, i, m) for i, m in enumerate(inp.markers)))
        outcome = combine_marks([str(d.inputs["mark"]) for d in decisions], bands=bands)
        if not isinstance(outcome, Resolved):
            role = "marking_head" if isinstance(outcome, NeedsMarkingHead) else "council_chair"
            decision = await self.ask(TaskRequest(
                task_key=f"{inp.component}:{inp.code}:discrepancy", kind="mark_discrepancy",
                title_vi=f"Điểm chênh lệch {outcome.spread} — phách {inp.code}",
                title_en=f"Marks differ by {outcome.spread} — code {inp.code}", subject=f"paper:{inp.code}",
                candidate_roles=[role], actions=[_mark_action("decide", "Điểm quyết định")],
                dossier=dossier_of(DiscrepancyView(
                    code=inp.code, component=_component(inp.component), marks=[str(m) for m in outcome.marks],
                    spread=str(outcome.spread), paper_ref=f"{inp.component}:{inp.code}",
                    resolve_max_spread=inp.bands.get("resolve_max_spread"),
                    council_chair_min_spread=inp.bands.get("council_chair_min_spread"),
                    scale=inp.bands.get("scale"), policy_version=inp.bands.get("version_id"))),
                due_in_seconds=inp.due_in_seconds, escalation_roles=["council_chair"], campaign=inp.campaign_id,
                excluded_units=[inp.unit_code], excluded_users=list(inp.markers)))  # not a marker of this paper
            await workflow.execute_activity("selection.record_mark", MarkRecord(
                inp.campaign_id, inp.code, inp.component, decision.actor_id, decision.actor_role,
                str(decision.inputs["mark"]), kind="discrepancy", comment=decision.comment), **SELECTION_OPTS)
            outcome = record_decision(outcome, score=str(decision.inputs["mark"]), bands=bands)
        result = ComponentResult(inp.campaign_id, inp.code, inp.component, str(outcome.score),
                                 [str(m) for m in outcome.marks], str(outcome.spread), outcome.decided_by)
        await workflow.execute_activity("selection.record_component", result, **SELECTION_OPTS)
        await self.settle()
        return result
