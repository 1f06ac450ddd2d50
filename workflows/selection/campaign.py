"""SelectionCampaign: the four steps of a source-cadre campaign (Kế hoạch 134-KH/TU) as one durable workflow.

1. nomination — a NominationConference child per conference (durable timer to its close, then the tally);
   the Organization Board confirms the proposals (inbox task).
2. screening — selection reads every nominee's record from registration at a recorded snapshot time; the
   Board confirms the eligible list, overriding a result only with a reason (each override is a new task).
3. examination — anonymous codes; a PaperMarking child per paper, its essay and interview marked independently;
   marking closes with totals, pass mark and ranking; a tie at the cut-off goes to the council chair.
4. committee — a CommitteeVote child per group; the selected lists are published.

History: the children keep the parent's history to a few events per paper; the parent continues as new at a
step boundary once its history passes `continue_after_events` (the state lives in selection's database, so a
new run resumes at the next step). Versioning: logic changed under running campaigns is guarded with
`workflow.patched(...)` (see `PATCH_DECIDED_STEP`); old runs replay the old branch.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation
from typing import Any

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from contracts import selection
    from contracts.human_tasks import TaskAction, TaskInputField, TaskRequest
    from contracts.selection import (
        STEPS,
        CampaignInput,
        CampaignPlan,
        CampaignRef,
        CloseMarkingInput,
        CommitteeInput,
        CommitteeOutcome,
        ComponentResult,
        ConferenceInput,
        ConferenceOutcome,
        ConferenceTallySummary,
        DecisionInput,
        MarkingInput,
        NomineeSummary,
        Paper,
        PaperInput,
        PersonPlan,
        ScreenInput,
        StepInput,
    )
    from contracts.tasks import (
        ConferenceCount,
        ConferenceVote,
        CriterionCheck,
        NominationConfirmationView,
        Nominee,
        ScreeningConfirmationView,
        TieBreakView,
        TiedCandidate,
        dossier_of,
    )
    from workflows.calls import call
    from workflows.human_task import HumanTasks
    from workflows.selection.committee import CommitteeVote
    from workflows.selection.essay import PaperMarking
    from workflows.selection.nomination import NominationConference
    from workflows.selection.opts import task_window

PATCH_DECIDED_STEP = "campaign-records-decided-step"
MAX_OVERRIDES = 500


def markers_for(paper: Paper, people: list[PersonPlan], count: int | None) -> list[str]:
    """Markers from outside the candidate's unit, spread over the pool by the code (deterministic)."""
    pool = [p.user_id for p in people if p.unit_code != paper.unit_code] or [p.user_id for p in people]
    if count is None or count >= len(pool):
        return pool
    start = sum(map(ord, paper.code)) % len(pool)
    return [pool[(start + i) % len(pool)] for i in range(count)]


def percent_of(fraction: str) -> str:
    """A threshold's share as a percentage in words' digits ("0.5" → "50", "0.667" → "66.7")."""
    try:
        return format((Decimal(fraction) * 100).normalize(), "f")
    except InvalidOperation:
        return fraction


def counts_of(results: list[ConferenceOutcome]) -> list[ConferenceCount]:
    """Each closed conference's count as the Board reads it (a conference closed before counts were kept: none)."""
    tallies: list[ConferenceTallySummary] = [r.tally for r in results if r.tally is not None]
    return [ConferenceCount(
        code=t.code, convened=t.convened, ballots_returned=t.ballots_returned,
        threshold_percent=percent_of(t.threshold),
        base="present" if t.base == "present" else "convened", base_count=t.base_count,
        nominees=[ConferenceVote(full_name=n.full_name, votes=n.votes, proposed=n.proposed) for n in t.nominees])
        for t in tallies]


def _summaries(items: list[NomineeSummary], plan: CampaignPlan) -> list[Nominee]:
    groups = {g.code: g.name for g in plan.groups}
    return [Nominee(candidate_id=n.candidate_id, full_name=n.full_name, unit_code=n.unit_code,
                    group_code=n.group_code, detail=n.detail, detail_vi=n.detail_vi,
                    group_name=groups.get(n.group_code, ""),
                    criteria=[CriterionCheck(passed=bool(c["passed"]), explanation_vi=str(c["explanation_vi"]),
                                             explanation_en=str(c["explanation_en"])) for c in n.criteria])
            for n in items]


@workflow.defn(name="SelectionCampaign")
class SelectionCampaign(HumanTasks):
    """The parent workflow of a campaign."""

    process_words = ("Đợt tuyển chọn nguồn cán bộ", "Source-cadre selection campaign")

    def __init__(self) -> None:
        super().__init__()
        self._step = "nomination"
        self._detail: dict[str, Any] = {}

    @workflow.query(name=selection.STATUS_QUERY)
    def status(self) -> dict[str, Any]:
        """The current step and the open tasks of this workflow."""
        return {"step": self._step, "open_tasks": sorted(self._open_tasks), **self._detail}

    async def _decide(self, plan: CampaignPlan, kind: str, decision: Any, inputs: dict[str, Any] | None = None) -> None:
        await call(selection.apply_decision, DecisionInput(
            plan.campaign_id, kind, decision.actor_id, decision.actor_role, decision.action, decision.comment,
            inputs if inputs is not None else dict(decision.inputs), decision.on_behalf_of, decision.task_id))

    async def _enter(self, campaign_id: str, step: str) -> None:
        self._step = step
        await call(selection.set_step, StepInput(campaign_id, step))

    @workflow.run
    async def run(self, inp: CampaignInput) -> dict[str, Any]:
        plan = await call(selection.plan, CampaignRef(inp.campaign_id))
        self.describe(f"kế hoạch {plan.number}", f"plan {plan.number}")
        steps = STEPS[STEPS.index(inp.resume_from):]
        self._step = steps[0]
        outcomes: list[CommitteeOutcome] = []
        for step in steps:
            if step == "nomination":
                await self._nomination(plan)
            elif step == "screening":
                await self._enter(plan.campaign_id, "screening")
                await self._screening(plan)
            elif step == "examination":
                await self._enter(plan.campaign_id, "examination")
                inp.tie_orders = await self._examination(plan, inp.tie_orders)
            elif step == "committee":
                await self._enter(plan.campaign_id, "committee")
                outcomes = await self._committee(plan, inp.tie_orders)
            elif step == "decided" and workflow.patched(PATCH_DECIDED_STEP):
                await self._enter(plan.campaign_id, "decided")
            nxt = STEPS.index(step) + 1
            if nxt < len(STEPS) and workflow.info().get_current_history_length() > inp.continue_after_events:
                await self.settle()
                workflow.continue_as_new(CampaignInput(inp.campaign_id, STEPS[nxt], inp.continue_after_events,
                                                       inp.tie_orders))
        await self.settle()
        return {"campaign_id": plan.campaign_id, "step": self._step,
                "decisions": [{"group": o.group_code, "decision_number": o.decision_number,
                               "selected": len(o.selected)} for o in outcomes]}

    async def _nomination(self, plan: CampaignPlan) -> None:
        base = workflow.info().workflow_id
        results: list[ConferenceOutcome] = await asyncio.gather(*(
            workflow.execute_child_workflow(
                NominationConference.run, ConferenceInput(plan.campaign_id, c.conference_id, c.code, c.close_at),
                id=f"{base}-conference-{c.code}", parent_close_policy=ParentClosePolicy.TERMINATE)
            for c in plan.conferences))
        self._detail["ballots_returned"] = sum(r.ballots_returned for r in results)
        proposed = await call(selection.proposals, CampaignRef(plan.campaign_id))
        decision = await self.ask(TaskRequest(
            task_key="nomination_confirmation", kind="nomination_confirmation",
            title_vi=f"Xác nhận danh sách được giới thiệu — {plan.number}",
            title_en=f"Confirm the nominees proposed by the conferences — {plan.number}",
            subject=f"campaign:{plan.campaign_id}", candidate_roles=["organization_board"],
            actions=[TaskAction("confirm", "Xác nhận", "Confirm", signature="approve")],
            dossier=dossier_of(NominationConfirmationView(
                proposed=_summaries(proposed, plan), ballots_returned=self._detail.get("ballots_returned"),
                conferences=counts_of(results))),
            campaign=plan.number,
            # nobody confirms a list with a nomination they put forward themselves
            excluded_users=sorted({p.proposed_by for p in proposed if p.proposed_by}),
            due_in_seconds=task_window(plan.deadlines["nomination_confirmation"])))
        await self._decide(plan, "nomination_confirmation", decision)

    async def _screening(self, plan: CampaignPlan) -> None:
        summary = await call(selection.screen_candidates, ScreenInput(plan.campaign_id, workflow.now().isoformat()))
        overriders: list[str] = []
        for round_no in range(1, MAX_OVERRIDES + 1):
            decision = await self.ask(TaskRequest(
                task_key=f"screening_confirmation:{round_no}", kind="screening_confirmation",
                title_vi=f"Xác nhận kết quả sơ tuyển — {plan.number}",
                title_en=f"Confirm the pre-screening results — {plan.number}",
                subject=f"campaign:{plan.campaign_id}", candidate_roles=["organization_board"],
                actions=[TaskAction("confirm", "Xác nhận danh sách", "Confirm the list", signature="approve"),
                         TaskAction("override", "Điều chỉnh kết quả (ghi rõ lý do)",
                                    "Override a result (reason required)", signature="override",
                                    requires_comment=True, inputs=[
                                        TaskInputField("candidate_id", "Nhân sự", "Candidate"),
                                        TaskInputField("result", "Kết quả", "Result", kind="choice",
                                                       choices=["eligible", "ineligible"])])],
                dossier=dossier_of(ScreeningConfirmationView(
                    eligible=_summaries(summary.eligible, plan), ineligible=_summaries(summary.ineligible, plan),
                    snapshot_at=summary.snapshot_at, records_digest=summary.digest)),
                campaign=plan.number, due_in_seconds=task_window(plan.deadlines["screening"]),
                excluded_users=list(overriders)))  # whoever overrode a result does not confirm the list
            if decision.action == "confirm":
                await self._decide(plan, "screening_confirmation", decision)
                return
            await self._decide(plan, "screening_override", decision)
            overriders.append(decision.actor_id)

    async def _examination(self, plan: CampaignPlan, tie_orders: dict[str, list[str]]) -> dict[str, list[str]]:
        papers = await call(selection.prepare_exam, CampaignRef(plan.campaign_id))
        base = workflow.info().workflow_id
        due = task_window(plan.deadlines["marking"])
        papers_marked: list[list[ComponentResult]] = await asyncio.gather(*(
            workflow.execute_child_workflow(
                PaperMarking.run, MarkingInput(plan.campaign_id, [
                    PaperInput(plan.campaign_id, paper.code, paper.unit_code, component,
                               markers_for(paper, people, count), due, plan.bands, plan.number,
                               plan.marking_guide.get(component, []), plan.weights.get(component, ""))
                    for component, people, count in (("essay", plan.examiners, 2),
                                                     ("interview", plan.interview_panel, None))]),
                id=f"{base}-paper-{paper.code}", parent_close_policy=ParentClosePolicy.TERMINATE)
            for paper in papers))
        self._detail["papers_marked"] = sum(len(p) for p in papers_marked)
        orders = dict(tie_orders)
        while True:
            summary = await call(selection.close_marking, CloseMarkingInput(plan.campaign_id, orders))
            if not summary.ties:
                return orders
            for tie in summary.ties:
                decision = await self.ask(TaskRequest(
                    task_key=f"tie_break:{tie.group_code}:{tie.rank}", kind="tie_break",
                    title_vi=f"Quyết định thứ tự thí sinh bằng điểm — nhóm {tie.group_code}",
                    title_en=f"Order the tied candidates — group {tie.group_code}",
                    subject=f"campaign:{plan.campaign_id}", candidate_roles=["council_chair"],
                    actions=[TaskAction("order", "Xếp thứ tự", "Order", signature="decide", inputs=[
                        TaskInputField("order", "Thứ tự (mã, cách nhau bởi dấu phẩy)",
                                       "Order (comma-separated ids)")])],
                    dossier=dossier_of(TieBreakView(
                        candidate_ids=tie.candidate_ids, open_seats=tie.open_seats, rank=tie.rank,
                        group_code=tie.group_code, candidates=[TiedCandidate(**c) for c in tie.candidates])),
                    campaign=plan.number, due_in_seconds=due))
                order = [x.strip() for x in str(decision.inputs["order"]).split(",") if x.strip()]
                if sorted(order) == sorted(tie.candidate_ids):
                    orders[f"{tie.group_code}:{tie.rank}"] = order

    async def _committee(self, plan: CampaignPlan, tie_orders: dict[str, list[str]]) -> list[CommitteeOutcome]:
        summary = await call(selection.close_marking, CloseMarkingInput(plan.campaign_id, tie_orders))
        base = workflow.info().workflow_id
        due = task_window(plan.deadlines["committee"])
        groups = [g for g in plan.groups if summary.shortlists.get(g.code)]
        outcomes: list[CommitteeOutcome] = await asyncio.gather(*(
            workflow.execute_child_workflow(
                CommitteeVote.run, CommitteeInput(plan.campaign_id, g.code, g.name, summary.shortlists[g.code],
                                                  plan.committee_members, plan.committee_chair,
                                                  plan.committee_fraction, plan.committee_policy, due,
                                                  plan.number, g.seats),
                id=f"{base}-committee-{g.code}", parent_close_policy=ParentClosePolicy.TERMINATE)
            for g in groups))
        self._detail["selected"] = {o.group_code: len(o.selected) for o in outcomes}
        return outcomes
