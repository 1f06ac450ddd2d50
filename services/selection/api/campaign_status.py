"""Selection's read APIs: campaign status, candidates per step, exam results, the decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select

from services.selection.deps import campaign_read
from services.selection.models import Campaign, Candidate, Conference, GroupDecision
from services.selection.schemas import CampaignRead
from services.selection.service.campaign_store import get_campaign, loads
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.vietnamese import sort_key_name

read_router = APIRouter(tags=["selection"])
Reader = Annotated[Principal, Depends(allowed("campaign.read"))]



async def _candidates(request: Request, campaign_id: str) -> tuple[Campaign, list[Candidate]]:
    async with ctx_of(request).read_sessions() as session:
        campaign = await get_campaign(session, campaign_id)
        rows = (await session.execute(select(Candidate).where(Candidate.campaign_id == campaign_id))).scalars()
        return campaign, sorted(rows, key=lambda c: sort_key_name(c.full_name))


@read_router.get("/campaigns", response_model=list[CampaignRead])
async def list_campaigns(request: Request, _: Reader, number: str | None = None) -> list[CampaignRead]:
    """Every campaign (or the one with a number), newest first."""
    async with ctx_of(request).read_sessions() as session:
        query = select(Campaign).order_by(Campaign.created_at.desc())
        if number:
            query = query.where(Campaign.number == number)
        return [campaign_read(c) for c in (await session.execute(query)).scalars()]


@read_router.get("/campaigns/{campaign_id}", response_model=CampaignRead)
async def get_campaign_status(campaign_id: str, request: Request, _: Reader) -> CampaignRead:
    """The campaign's status and current step."""
    async with ctx_of(request).read_sessions() as session:
        return campaign_read(await get_campaign(session, campaign_id))


@read_router.get("/campaigns/{campaign_id}/conferences")
async def conferences(campaign_id: str, request: Request, _: Reader) -> list[dict[str, Any]]:
    """Each conference's status and, once closed, its tally (counts only — ballots are secret)."""
    async with ctx_of(request).read_sessions() as session:
        await get_campaign(session, campaign_id)
        rows = (await session.execute(select(Conference).where(Conference.campaign_id == campaign_id)
                                      .order_by(Conference.code))).scalars().all()
    return [{"code": c.code, "unit_code": c.unit_code, "convened": c.convened, "max_names": c.max_names,
             "status": c.status, "tokens_issued": c.tokens_issued, "tally": loads(c.tally)} for c in rows]


@read_router.get("/campaigns/{campaign_id}/candidates")
async def candidates(campaign_id: str, request: Request, _: Reader) -> list[dict[str, Any]]:
    """Every nominee with each step's result and explanation (exam results only after marking closes)."""
    campaign, rows = await _candidates(request, campaign_id)
    return [{"id": c.id, "official_id": c.official_id, "full_name": c.full_name, "unit_code": c.unit_code,
             "group_code": c.group_code, "stage": c.stage, "evaluation": c.evaluation,
             "nomination": loads(c.nomination), "screening": loads(c.screening),
             "exam": loads(c.exam) if campaign.marking_closed else None, "committee": loads(c.committee)}
            for c in rows]


@read_router.get("/campaigns/{campaign_id}/exam-results")
async def exam_results(campaign_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """Results by anonymisation code; identities are joined back only once marking has closed."""
    campaign, rows = await _candidates(request, campaign_id)
    papers = [c for c in rows if c.exam_code]
    if not campaign.marking_closed:
        return {"marking_closed": False, "results": sorted(
            ({"code": c.exam_code, **{k: v for k, v in (loads(c.exam) or {}).items() if k in ("essay", "interview")}}
             for c in papers), key=lambda r: str(r["code"]))}
    results = [{"code": c.exam_code, "candidate_id": c.id, "full_name": c.full_name, "unit_code": c.unit_code,
                "group_code": c.group_code, "stage": c.stage, **(loads(c.exam) or {})} for c in papers]
    return {"marking_closed": True,
            "results": sorted(results, key=lambda r: (str(r["group_code"]), int(r.get("rank") or 10**6)))}


@read_router.get("/campaigns/{campaign_id}/decision")
async def decision(campaign_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """The Standing Committee's decision per group and the selected lists."""
    campaign, rows = await _candidates(request, campaign_id)
    by_id = {c.id: c for c in rows}
    async with ctx_of(request).read_sessions() as session:
        decisions = (await session.execute(select(GroupDecision).where(
            GroupDecision.campaign_id == campaign_id).order_by(GroupDecision.group_code))).scalars().all()
    groups = []
    for d in decisions:
        result = loads(d.result)
        groups.append({"group": d.group_code, "decision_number": d.decision_number,
                       "decided_at": d.decided_at.isoformat(), "members_total": result["members_total"],
                       "policy_version": result["policy_version"], "counts": result["decisions"],
                       "selected": [{"candidate_id": cid, "official_id": by_id[cid].official_id,
                                     "full_name": by_id[cid].full_name, "unit_code": by_id[cid].unit_code}
                                    for cid in result["selected"]]})
    return {"campaign_id": campaign_id, "number": campaign.number, "status": campaign.status, "groups": groups}
