"""A component's score recorded with the marks behind it (PaperMarking from ONE_FILING on): each mark stored and
audited under its marker, once, with the score; a retry writes nothing more; a mark of another paper is refused
and nothing of that unit of work is kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from contracts.errors import DomainError
from contracts.selection import ComponentResult, MarkRecord
from services.selection.models import INFRA, Campaign, Candidate, Mark, metadata
from services.selection.service import exam
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.uow import unit_of_work


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[ServiceContext]:
    ctx = build_context("selection", Settings(data_dir=tmp_path), metadata, INFRA,
                        url=f"sqlite+aiosqlite:///{tmp_path / 'selection.db'}")
    async with ctx.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with unit_of_work(ctx) as uow:
        uow.session.add(Campaign(
            id="c1", number="1-KH/TU", title="Tạo nguồn", status="running", step="examination", settings="{}",
            policy=json.dumps({"exam_marking": "exam_marking/2024"}), workflow_id="wf",
            created_at=datetime.now(UTC), created_by="btc.nguyenvanhai"))
        for cid, code in (("k1", "P1"), ("k2", "P2")):
            uow.session.add(Candidate(
                id=cid, campaign_id="c1", official_id=f"o-{cid}", full_name="Nguyễn Thị Hòa", unit_code="DONGPHU",
                group_code="G2", evaluation="{}", proposed_by="btc.nguyenvanhai", stage="examined", exam_code=code))
    yield ctx
    await ctx.dispose()


def _essay(code: str = "P1", *, other: str | None = None) -> ComponentResult:
    records = [MarkRecord("c1", code, "essay", "gk.a", "examiner", "70"),
               MarkRecord("c1", other or code, "essay", "gk.b", "examiner", "77"),
               MarkRecord("c1", code, "essay", "gk.truong", "marking_head", "74", kind="discrepancy",
                          comment="Thống nhất điểm")]
    return ComponentResult("c1", code, "essay", "74", ["70", "77"], "7", "marking_head", records=records)


async def _stored(ctx: ServiceContext) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]], int]:
    async with ctx.sessions() as s:
        marks = [(m.exam_code, m.component, m.marker_id, m.mark) for m in
                 (await s.execute(select(Mark).order_by(Mark.marker_id))).scalars()]
        audit = [(r[0], json.loads(r[1])["actor"]["user_id"]) for r in
                 (await s.execute(text("SELECT action, body FROM audit_log ORDER BY seq"))).all()]
        events = (await s.execute(text("SELECT count(*) FROM outbox WHERE event_type='EssayMarked'"))).scalar_one()
    return marks, audit, int(events)


async def test_the_marks_are_stored_and_audited_with_the_score_once(ctx: ServiceContext) -> None:
    for _ in range(2):  # the second: an activity retried after its first attempt committed
        async with unit_of_work(ctx) as uow:
            await exam.record_component(uow, inp=_essay(), workflow=("wf-paper", "run-1"))
    marks, audit, events = await _stored(ctx)
    assert marks == [("P1", "essay", "gk.a", "70"), ("P1", "essay", "gk.b", "77"),
                     ("P1", "essay:decided", "gk.truong", "74")]
    assert audit == [("exam.mark", "gk.a"), ("exam.mark", "gk.b"), ("exam.discrepancy", "gk.truong"),
                     ("exam.component_score", "svc.selection")]
    assert events == 1


async def test_a_mark_of_another_paper_is_refused_and_nothing_is_kept(ctx: ServiceContext) -> None:
    with pytest.raises(DomainError) as refused:
        async with unit_of_work(ctx) as uow:
            await exam.record_component(uow, inp=_essay(other="P2"), workflow=("wf-paper", "run-1"))
    assert refused.value.code == "mark_of_another_paper" and refused.value.field == "records"
    assert await _stored(ctx) == ([], [], 0)
