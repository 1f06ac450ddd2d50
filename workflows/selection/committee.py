"""CommitteeVote: one group's list before the Standing Committee — each member votes, the chair records.

The vote closes when every member has voted or at the step's deadline, whichever comes first; a member who
has not voted counts as not approving (approval needs more than half of ALL members, not of votes cast).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts import selection
    from contracts.human_tasks import TaskAction, TaskDecision, TaskInputField, TaskRequest
    from contracts.selection import CommitteeInput, CommitteeOutcome, CommitteeRecord, record_committee
    from contracts.tasks import CommitteeDecisionView, CommitteeVoteView, ShortlistCandidate, dossier_of
    from contracts.timing import MIN_TASK_SECONDS
    from workflows.calls import call
    from workflows.human_task import HumanTasks

CHOICES = ["approve", "reject", "abstain"]


@workflow.defn(name="CommitteeVote")
class CommitteeVote(HumanTasks):
    """Member votes (inbox tasks), the count, the chair's decision number."""

    process_words = ("Biểu quyết của Ban Thường vụ", "Standing Committee vote")

    def __init__(self) -> None:
        super().__init__()
        self._votes: dict[str, TaskDecision] = {}
        self._phase = "voting"

    @workflow.query(name=selection.STATUS_QUERY)
    def status(self) -> dict[str, object]:
        """Phase and how many members have voted."""
        return {"phase": self._phase, "voted": len(self._votes)}

    async def _vote(self, inp: CommitteeInput, member: str) -> None:
        decision = await self.ask(TaskRequest(
            task_key=f"vote:{inp.group_code}:{member}", kind="committee_vote",
            title_vi=f"Biểu quyết danh sách nguồn — {inp.group_name}",
            title_en=f"Vote on the source-cadre list — {inp.group_name}",
            subject=f"campaign:{inp.campaign_id}:group:{inp.group_code}", candidate_roles=["committee_member"],
            assignee=member,
            actions=[TaskAction("vote", "Biểu quyết", "Vote", signature="vote", inputs=[
                TaskInputField(c.candidate_id, f"{c.full_name} ({c.unit_code}) — hạng {c.rank}, {c.total} điểm",
                               f"{c.full_name} ({c.unit_code}) — rank {c.rank}, total {c.total}", kind="choice",
                               choices=CHOICES) for c in inp.candidates])],
            dossier=dossier_of(CommitteeVoteView(
                group=inp.group_code, group_name=inp.group_name, members=len(inp.members), fraction=inp.fraction,
                policy_version=inp.policy_version, seats=inp.seats, candidates=[
                    ShortlistCandidate(candidate_id=c.candidate_id, full_name=c.full_name, unit_code=c.unit_code,
                                       rank=c.rank, total=c.total) for c in inp.candidates])),
            due_in_seconds=max(MIN_TASK_SECONDS, inp.vote_due_in_seconds // 2),
            escalate_after_seconds=max(MIN_TASK_SECONDS, inp.vote_due_in_seconds // 2),
            escalation_roles=["committee_chair"], campaign=inp.campaign_number or inp.campaign_id, priority=1))
        self._votes[member] = decision

    @workflow.run
    async def run(self, inp: CommitteeInput) -> CommitteeOutcome:
        self.describe(inp.group_name, inp.group_name)
        voting = [asyncio.ensure_future(self._vote(inp, m)) for m in inp.members]
        try:
            await workflow.wait_condition(lambda: len(self._votes) == len(inp.members),
                                          timeout=timedelta(seconds=max(1, inp.vote_due_in_seconds)))
        except TimeoutError:
            workflow.logger.info("committee_vote_deadline", extra={"voted": len(self._votes)})
            for task in voting:
                task.cancel()
            for member in inp.members:  # a late vote is refused by the Update's validator
                if member not in self._votes:
                    self._open_tasks.pop(f"vote:{inp.group_code}:{member}", None)
        self._phase = "decision"
        votes = [{"member_id": m, "candidate_id": c.candidate_id, "choice": str(d.inputs.get(c.candidate_id))}
                 for m, d in sorted(self._votes.items()) for c in inp.candidates
                 if d.inputs.get(c.candidate_id) in CHOICES]
        chair = await self.ask(TaskRequest(
            task_key=f"decision:{inp.group_code}", kind="committee_decision",
            title_vi=f"Ghi số quyết định — {inp.group_name}", title_en=f"Record the decision number — {inp.group_name}",
            subject=f"campaign:{inp.campaign_id}:group:{inp.group_code}", candidate_roles=["committee_chair"],
            assignee=inp.chair,
            actions=[TaskAction("decide", "Ký quyết định", "Sign the decision", signature="decide", inputs=[
                TaskInputField("decision_number", "Số quyết định", "Decision number")])],
            dossier=dossier_of(CommitteeDecisionView(group=inp.group_code, group_name=inp.group_name,
                                                     votes_cast=len(self._votes), members=len(inp.members))),
            campaign=inp.campaign_number or inp.campaign_id, escalation_roles=["organization_board"], priority=1))
        self._phase = "recorded"
        outcome = await call(record_committee, CommitteeRecord(
            inp.campaign_id, inp.group_code, [c.candidate_id for c in inp.candidates], votes,
            str(chair.inputs["decision_number"]), chair.actor_id))
        await self.settle()
        return outcome
