"""Step 4, the Standing Committee's decision per group, and the campaign plan the workflow runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from contracts.selection import CampaignPlan, CommitteeOutcome, CommitteeRecord, ConferencePlan, GroupPlan, PersonPlan
from services.selection.domain.committee import CommitteeVote, VoteChoice, approval_fraction, decide
from services.selection.models import Candidate, Conference, GroupDecision
from services.selection.service.campaign_store import (
    dumps,
    get_campaign,
    loads,
    policy_book,
    proposal_date,
    record_decision,
    settings_of,
)
from shared.audit import Actor
from shared.marking import MarkingBands
from shared.uow import UnitOfWork

Workflow = tuple[str | None, str | None]


async def campaign_plan(uow: UnitOfWork, *, campaign_id: str) -> CampaignPlan:
    """What the campaign workflow needs, read from the stored settings."""
    campaign = await get_campaign(uow, campaign_id)
    s = settings_of(campaign)
    confs = (await uow.session.execute(select(Conference).where(Conference.campaign_id == campaign_id))).scalars()
    close_at = {c["code"]: c["close_at"] for c in s["conferences"]}
    marking = policy_book().in_force("exam_marking", proposal_date(campaign))
    bands = MarkingBands.from_policy(marking)
    committee = policy_book().in_force("committee_approval", proposal_date(campaign))
    approval_fraction(committee)  # refuses a committee rule of a shape that is not implemented
    return CampaignPlan(
        campaign_id=campaign.id, number=campaign.number,
        conferences=sorted((ConferencePlan(c.id, c.code, close_at[c.code]) for c in confs), key=lambda p: p.code),
        groups=[GroupPlan(g["code"], g["name"], int(g["seats"])) for g in s["groups"]],
        deadlines=dict(s["deadlines"]),
        examiners=[PersonPlan(p["user_id"], p.get("unit_code")) for p in s["exam"]["examiners"]],
        interview_panel=[PersonPlan(p["user_id"], p.get("unit_code")) for p in s["exam"]["interview_panel"]],
        bands={"resolve_max_spread": str(bands.resolve_max_spread),
               "council_chair_min_spread": str(bands.council_chair_min_spread),
               "pass_mark": str(bands.pass_mark), "scale": str(bands.scale), "version_id": marking.version_id},
        committee_members=list(s["committee"]["members"]), committee_chair=s["committee"]["chair"],
        committee_fraction=str(committee.param("fraction")), committee_policy=committee.version_id,
        marking_guide={component: [{"vi": str(c["vi"]), "en": str(c["en"]), "points": str(c["points"])}
                                   for c in criteria] for component, criteria in marking.param("criteria").items()},
        weights={component: str(w) for component, w in s["exam"]["weights"].items()})


async def record_committee(uow: UnitOfWork, *, inp: CommitteeRecord, workflow: Workflow) -> CommitteeOutcome:
    """Count the votes (> half of ALL members), record the decision number, publish CandidatesSelected."""
    campaign = await get_campaign(uow, inp.campaign_id)
    existing = (await uow.session.execute(select(GroupDecision).where(
        GroupDecision.campaign_id == inp.campaign_id, GroupDecision.group_code == inp.group_code))).scalar_one_or_none()
    if existing is not None:
        done = loads(existing.result)
        return CommitteeOutcome(inp.group_code, existing.decision_number, list(done["selected"]))
    s = settings_of(campaign)
    group = next(g for g in s["groups"] if g["code"] == inp.group_code)
    members = list(s["committee"]["members"])
    version = policy_book().in_force("committee_approval", proposal_date(campaign))
    result = decide(members=members, candidates=inp.candidate_ids, fraction=approval_fraction(version),
                    votes=[CommitteeVote(v["member_id"], v["candidate_id"], VoteChoice(v["choice"]))
                           for v in inp.votes], version_id=version.version_id)
    selected = list(result.approved_ids)
    now = datetime.now(UTC)
    doc = {"selected": selected, "members_total": result.members_total, "fraction": str(result.fraction),
           "policy_version": version.version_id,
           "decisions": [{"candidate_id": d.candidate_id, "approvals": d.approvals, "rejections": d.rejections,
                          "abstentions": d.abstentions, "not_voted": d.not_voted, "approved": d.approved}
                         for d in result.decisions]}
    uow.session.add(GroupDecision(id=str(uuid.uuid4()), campaign_id=inp.campaign_id, group_code=inp.group_code,
                                  decision_number=inp.decision_number, result=dumps(doc), decided_at=now))
    rows = {c.id: c for c in (await uow.session.execute(select(Candidate).where(
        Candidate.id.in_(inp.candidate_ids)))).scalars()}
    for d in result.decisions:
        cand = rows[d.candidate_id]
        cand.stage = "selected" if d.approved else "not_selected"
        cand.committee = dumps({"approvals": d.approvals, "rejections": d.rejections, "abstentions": d.abstentions,
                                "not_voted": d.not_voted, "members_total": result.members_total,
                                "approved": d.approved, "decision_number": inp.decision_number,
                                "explanation_vi": f"{d.approvals}/{result.members_total} ủy viên tán thành, cần "
                                                  f"trên {result.fraction * 100}% tổng số ủy viên",
                                "explanation_en": f"{d.approvals}/{result.members_total} members approved, more "
                                                  f"than {result.fraction * 100}% of all members required"})
    uow.emit("CommitteeVoteClosed", subject=inp.campaign_id, workflow_id=workflow[0], data={
        "campaign_id": inp.campaign_id, "group": inp.group_code, "members_total": result.members_total,
        "listed": len(inp.candidate_ids), "approved": len(selected)})
    ranks = {c.id: loads(c.exam) or {} for c in rows.values()}
    uow.emit("CandidatesSelected", subject=inp.campaign_id, workflow_id=workflow[0], data={
        "campaign_id": inp.campaign_id, "campaign_number": campaign.number, "group": inp.group_code,
        "decision_number": inp.decision_number, "decided_at": now.isoformat(), "class_id": group.get("class_id"),
        "candidates": [{"official_id": rows[cid].official_id, "unit_code": rows[cid].unit_code,
                        "full_name": rows[cid].full_name, "rank": int(ranks[cid].get("rank", 0)),
                        "total": float(ranks[cid].get("total", 0))} for cid in selected]})
    await record_decision(uow, actor=Actor(inp.chair_id, "committee_chair"), action="committee.decide",
                          subject=f"campaign:{inp.campaign_id}:group:{inp.group_code}",
                          reason_vi=f"Ban Thường vụ quyết định số {inp.decision_number}: {len(selected)}/"
                                    f"{len(inp.candidate_ids)} nhân sự được tán thành trên "
                                    f"{result.fraction * 100}% tổng số ủy viên",
                          reason_en=f"Standing Committee decision {inp.decision_number}: {len(selected)} of "
                                    f"{len(inp.candidate_ids)} approved by more than {result.fraction * 100}% of "
                                    f"all members",
                          inputs={**doc, "votes": inp.votes}, policy_version=version.version_id, workflow=workflow,
                          kind="committee", outcome="decided")
    return CommitteeOutcome(inp.group_code, inp.decision_number, selected)
