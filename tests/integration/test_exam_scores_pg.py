"""PostgreSQL: a paper's essay and interview scores, recorded at the same time, are both kept.

PaperMarking marks both components at once, so their record_component activities can run together. Each adds its
score to the candidate's exam JSON. Before the row was locked, the later transaction wrote back what it had read
before the earlier one committed: one score was lost, close_marking counted it 0, and a candidate who had passed
was "failed" (the small scenario's class TN-25-2 then missed a person, now and then)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from contracts.selection import ComponentResult
from services.selection.models import INFRA, Campaign, Candidate, metadata
from services.selection.service import exam
from shared.config import Settings
from shared.context import build_context
from shared.uow import unit_of_work
from tests.support import infra

pytestmark = pytest.mark.integration


async def test_two_components_recorded_at_once_are_both_kept() -> None:
    ctx = build_context("selection", Settings(), metadata, INFRA,
                        url=infra.new_database_template().format(service="selection"))
    try:
        async with ctx.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with unit_of_work(ctx) as uow:
            uow.session.add(Campaign(
                id="c1", number="1-KH/TU", title="Tạo nguồn", status="running", step="examination",
                settings="{}", policy=json.dumps({"exam_marking": "exam_marking/2024"}), workflow_id="wf",
                created_at=datetime.now(UTC), created_by="btc.nguyenvanhai"))
            uow.session.add(Candidate(
                id="k1", campaign_id="c1", official_id="o1", full_name="Nguyễn Thị Hòa", unit_code="DONGPHU",
                group_code="G2", evaluation="{}", proposed_by="btc.nguyenvanhai", stage="examined",
                exam_code="P1"))

        def result(component: str, score: str) -> ComponentResult:
            return ComponentResult("c1", "P1", component, score, [score, score], "0", "markers")

        async def interview() -> None:
            async with unit_of_work(ctx) as uow:
                await exam.record_component(uow, inp=result("interview", "80"), workflow=("wf", None))

        async with unit_of_work(ctx) as uow:  # the essay's transaction, still open while the interview's starts
            await exam.record_component(uow, inp=result("essay", "86"), workflow=("wf", None))
            other = asyncio.create_task(interview())
            await asyncio.sleep(0.5)  # the interview's transaction reads the candidate now (and, locked, waits)
        await asyncio.wait_for(other, timeout=10)
        async with ctx.sessions() as session:
            stored = json.loads((await session.get(Candidate, "k1")).exam or "{}")
        assert {k: v["score"] for k, v in stored.items()} == {"essay": "86", "interview": "80"}
    finally:
        await ctx.dispose()
