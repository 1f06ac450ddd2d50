"""Campaign-level properties: who marks which paper, and the committee's rule as stored by selection."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from contracts.selection import CommitteeRecord, Paper, PersonPlan
from services.selection.models import Candidate
from services.selection.schemas import CampaignCreate, NominationIn
from services.selection.service import campaigns, decision
from shared.audit import Actor
from shared.uow import unit_of_work
from tests.unit.selection.support import campaign_payload, selection_ctx, unique_number
from workflows.selection.campaign import markers_for

UNITS = ["DONGXOAI", "BINHLONG", "TRUONGCT", "SONOIVU"]
people = st.lists(st.tuples(st.text("abcdef", min_size=1, max_size=4), st.sampled_from(UNITS)), min_size=2,
                  max_size=8, unique_by=lambda p: p[0])


@given(people, st.sampled_from(UNITS), st.text("ABCDEFGHJK23456789", min_size=6, max_size=6))
def test_two_distinct_examiners_from_outside_the_candidates_unit(pool: list[tuple[str, str]], unit: str,
                                                                 code: str) -> None:
    plans = [PersonPlan(u, x) for u, x in pool]
    chosen = markers_for(Paper(code, unit), plans, 2)
    outside = [p for p in plans if p.unit_code != unit]
    assert len(set(chosen)) == len(chosen) == min(2, len(outside) or len(plans))
    if outside:
        assert all(p.unit_code != unit for p in plans if p.user_id in chosen)
    assert chosen == markers_for(Paper(code, unit), plans, 2)  # deterministic (replay-safe)


votes = st.lists(st.sampled_from(["approve", "reject", "abstain", None]), min_size=1, max_size=9)


@settings(max_examples=10, deadline=None)
@given(votes)
def test_a_candidate_is_approved_only_by_more_than_half_of_all_members(choices: list[str | None]) -> None:
    members = [f"tv.{i}" for i in range(len(choices))]

    async def run(tmp: Path) -> None:
        _, ctx = await selection_ctx(tmp)
        body = campaign_payload(unique_number(), datetime.now(UTC))
        body["committee"] = {"members": members, "chair": members[0]}
        board = Actor("btc.nguyenvanhai", "organization_board")
        async with unit_of_work(ctx) as uow:
            campaign = await campaigns.create_campaign(uow, data=CampaignCreate.model_validate(body), actor=board)
            cand = await campaigns.propose_nominee(uow, campaign_id=campaign.id, actor=board, data=NominationIn(
                official_id="off-1", full_name="Nguyễn Văn An", unit_code="DONGXOAI", group_code="G1",
                evaluation="Hoàn thành tốt nhiệm vụ"))
        async with unit_of_work(ctx) as uow:
            outcome = await decision.record_committee(uow, workflow=("wf", "run"), inp=CommitteeRecord(
                campaign.id, "G1", [cand.id],
                [{"member_id": m, "candidate_id": cand.id, "choice": c} for m, c in zip(members, choices, strict=True)
                 if c is not None], "1-QĐ/TU", members[0]))
        approvals = choices.count("approve")
        assert (outcome.selected == [cand.id]) == (2 * approvals > len(members))
        async with ctx.sessions() as s:
            stored = await s.get(Candidate, cand.id)
            assert stored is not None and json.loads(stored.committee or "{}")["approvals"] == approvals
            kinds = (await s.execute(text("SELECT event_type FROM outbox"))).scalars().all()
        assert "CandidatesSelected" in kinds and "CommitteeVoteClosed" in kinds
        await ctx.dispose()

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp)))
