"""PaperMarking: the components (essay, interview) of one anonymous paper, each marked independently.

Every marker of a component gets their own inbox task at once; a task's dossier holds only the anonymisation code
and the paper's reference, never the candidate's identity nor another marker's mark, and no actor of the
candidate's unit may take it. The spread bands of marking.py then decide each component on its own: the mean, or a
task for the head of marking (5 < spread < 10), or one for the council chair (spread ≥ 10).

A paper's markers' tasks are filed by one ``portal.create_tasks`` and their marks recorded with each component's
score (``record_component`` carries them), not an activity each (``ONE_FILING``; runs begun before it replay the
old branch): half the activities of a paper (8, not 17), measured in the demo's marking step.

One workflow per paper, not one per paper and component: the Temporal server's work is per workflow and per
workflow task more than per activity (a child per component cost ~74 history events and 9–13 workflow tasks for
~10 activities, plus its start and completion in the parent), and activity completions and Updates that arrive
while a workflow task runs are handled together by the next one. Not more papers per workflow: the server admits
at most 10 Updates in flight per workflow (`history.maxInFlightUpdates`) and 2,000 per run
(`history.maxTotalUpdates`); a paper has its two examiners' and its panel's tasks open at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts import selection
    from contracts.human_tasks import TaskAction, TaskDecision, TaskInputField, TaskRequest
    from contracts.selection import ComponentResult, MarkingInput, MarkRecord, PaperInput, record_component, record_mark
    from contracts.tasks import Component, DiscrepancyView, MarkCriterion, PaperView, dossier_of
    from contracts.timing import TASK_GRACE_SECONDS
    from shared.marking import NeedsMarkingHead, Resolved, bands_of, combine_marks, record_decision
    from shared.number_rules import MARK_STEP
    from workflows.calls import call
    from workflows.human_task import HumanTasks

# a run from this patch on files its markers' tasks in one activity and records the marks with each component's
# score (record_component), not each on its own (record_mark): about half the activities and workflow tasks a paper
ONE_FILING = "paper-marking-one-filing"
TITLES = {"essay": ("Chấm bài viết", "Mark essay"), "interview": ("Chấm phỏng vấn", "Score interview")}


def _component(name: str) -> Component:
    return "interview" if name == "interview" else "essay"


def _mark_action(name: str = "mark", label: str = "Điểm") -> TaskAction:
    return TaskAction(name, "Nhập điểm", "Enter the mark", signature="mark",
                      inputs=[TaskInputField("mark", label, "Mark", kind="number", minimum=0, maximum=100,
                                              step=MARK_STEP)])


def _mark_record(inp: PaperInput, decision: TaskDecision, kind: str = "mark") -> MarkRecord:
    return MarkRecord(inp.campaign_id, inp.code, inp.component, decision.actor_id, decision.actor_role,
                      str(decision.inputs["mark"]), kind=kind, comment=decision.comment if kind != "mark" else "")


def _record(inp: PaperInput, kind: str = "mark") -> Callable[[TaskDecision], Awaitable[Any]]:
    """Record a decided mark in selection (beside closing its task in the portal): runs started before
    ONE_FILING."""
    def record(decision: TaskDecision) -> Awaitable[Any]:
        return call(record_mark, _mark_record(inp, decision, kind))
    return record


@workflow.defn(name="PaperMarking")
class PaperMarking(HumanTasks):
    """Independent marks from each marker, then the spread bands, for each component of the paper."""

    process_words = ("Chấm thi", "Marking a paper")

    def __init__(self) -> None:
        super().__init__()
        self._marks: dict[str, int] = {}  # "component:code" → how many marks are in

    @workflow.query(name=selection.PROGRESS_QUERY)
    def progress(self) -> dict[str, int]:
        """How many marks are in (never the marks themselves)."""
        return {"marks_in": sum(self._marks.values()), "open_tasks": len(self._open_tasks)}

    def _mark_request(self, inp: PaperInput, index: int, marker: str) -> TaskRequest:
        kind = "essay_mark" if inp.component == "essay" else "interview_score"
        vi, en = TITLES[inp.component]
        return TaskRequest(
            task_key=f"{inp.component}:{inp.code}:round{index + 1}", kind=kind,
            title_vi=f"{vi} — phách {inp.code} (lượt {index + 1})",
            title_en=f"{en} — code {inp.code} (round {index + 1})",
            subject=f"paper:{inp.code}", candidate_roles=["examiner"], actions=[_mark_action()],
            dossier=dossier_of(PaperView(
                code=inp.code, component=_component(inp.component), paper_ref=f"{inp.component}:{inp.code}",
                scale=inp.bands.get("scale", ""), pass_mark=inp.bands.get("pass_mark", ""), weight=inp.weight,
                criteria=[MarkCriterion(label_vi=c["vi"], label_en=c["en"], points=c["points"]) for c in inp.criteria],
                policy_version=inp.bands.get("version_id", ""))),
            assignee=marker, due_in_seconds=inp.due_in_seconds, escalate_after_seconds=TASK_GRACE_SECONDS,
            escalation_roles=["marking_head"], campaign=inp.campaign_number or inp.campaign_id,
            excluded_units=[inp.unit_code], excluded_users=[m for m in inp.markers if m != marker])

    def _counted(self, inp: PaperInput, decision: TaskDecision) -> TaskDecision:
        key = f"{inp.component}:{inp.code}"
        self._marks[key] = self._marks.get(key, 0) + 1
        return decision

    async def _mark_by(self, inp: PaperInput, index: int, marker: str) -> TaskDecision:
        """A run started before ONE_FILING: its own create_task and a record_mark beside each close."""
        decision = await self.ask(self._mark_request(inp, index, marker), alongside_close=_record(inp))
        return self._counted(inp, decision)

    async def _component(self, inp: PaperInput, filed: list[TaskRequest] | None = None) -> ComponentResult:
        """The component's marks, a discrepancy decision when the bands ask for one, then its score. ``filed``: the
        markers' tasks, already filed together (ONE_FILING); their marks are recorded with the score."""
        bands = bands_of(inp.bands)
        if filed is None:
            decisions = await asyncio.gather(*(self._mark_by(inp, i, m) for i, m in enumerate(inp.markers)))
        else:
            decisions = await asyncio.gather(*(self._decided_mark(inp, r) for r in filed))
        records = [] if filed is None else [_mark_record(inp, d) for d in decisions]
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
                due_in_seconds=inp.due_in_seconds, escalation_roles=["council_chair"],
                campaign=inp.campaign_number or inp.campaign_id,
                excluded_units=[inp.unit_code], excluded_users=list(inp.markers)),  # not a marker of this paper
                alongside_close=None if filed is not None else _record(inp, "discrepancy"))
            if filed is not None:
                records.append(_mark_record(inp, decision, "discrepancy"))
            outcome = record_decision(outcome, score=str(decision.inputs["mark"]), bands=bands)
        result = ComponentResult(inp.campaign_id, inp.code, inp.component, str(outcome.score),
                                 [str(m) for m in outcome.marks], str(outcome.spread), outcome.decided_by,
                                 records=records)
        await call(record_component, result)
        return result

    @workflow.run
    async def run(self, inp: MarkingInput) -> list[ComponentResult]:
        if inp.components:
            self.describe(f"bài phách {inp.components[0].code}", f"paper {inp.components[0].code}")
        if workflow.patched(ONE_FILING):
            filed = [[self._mark_request(c, i, m) for i, m in enumerate(c.markers)] for c in inp.components]
            await self.file([r for requests in filed for r in requests])
            results = await asyncio.gather(*(self._component(c, f) for c, f in zip(inp.components, filed, strict=True)))
        else:
            results = await asyncio.gather(*(self._component(c) for c in inp.components))
        await self.settle()
        return list(results)

    async def _decided_mark(self, inp: PaperInput, request: TaskRequest) -> TaskDecision:
        return self._counted(inp, await self.decided(request))
