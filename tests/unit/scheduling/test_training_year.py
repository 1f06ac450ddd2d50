"""A completed class counts for the year of its plan (or of its end date outside any plan), whenever its completion
is recorded: the year ClassCompleted carries, which registration's training records and compliance take."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from services.scheduling.domain.training_year import training_year
from services.scheduling.schemas import AttendanceIn, ClassCreate, ParticipantMarks, PlanCreate, ResultsIn
from services.scheduling.service import classes, lifecycle, plans, results
from shared.context import ServiceContext
from shared.uow import unit_of_work
from tests.unit.scheduling.support import BOARD, enrol, scheduling_context, seed_programme

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def ctx(tmp_path: Path) -> ServiceContext:
    c = await scheduling_context(tmp_path)
    await seed_programme(c)
    return c


def test_the_plan_year_wins_over_the_dates() -> None:
    assert training_year(plan_year=2023, end_date=date(2026, 12, 2)) == 2023
    assert training_year(plan_year=None, end_date=date(2026, 12, 31)) == 2026
    assert training_year(plan_year=None, end_date=date(2027, 1, 2)) == 2027


async def _completed_year(ctx: ServiceContext, code: str, plan_item_id: str | None) -> int:
    """Schedule a one-day class today, run it, mark it, complete it: the year its ClassCompleted carries."""
    body = ClassCreate.model_validate({
        "code": code, "programme_code": "LLCT-TC", "institution": "Trường Chính trị tỉnh", "venue": "",
        "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(), "capacity": 5, "target": 1,
        "enrolment_deadline": TODAY.isoformat(), "plan_item_id": plan_item_id,
        "sessions": [{"day": TODAY.isoformat(), "hours": 8, "topic": "Buổi 1"}]})
    async with unit_of_work(ctx) as uow:
        class_id = (await classes.schedule_class(uow, data=body, actor=BOARD)).id
    async with unit_of_work(ctx) as uow:
        await lifecycle.open_enrolment(uow, class_id=class_id, workflow_id="wf", run_id="r")
    await enrol(ctx, class_id, f"{code}-a")
    async with unit_of_work(ctx) as uow:
        await lifecycle.close_enrolment(uow, class_id=class_id, workflow_id="wf", run_id="r")
    async with unit_of_work(ctx) as uow:
        await lifecycle.start_class(uow, class_id=class_id, workflow_id="wf", run_id="r")
    async with ctx.sessions() as s:
        [session] = await classes.sessions_of(s, class_id)
    async with unit_of_work(ctx) as uow:
        await results.record_attendance(uow, class_id=class_id, actor=BOARD,
                                        data=AttendanceIn(session_id=session.id, present=[f"{code}-a"]))
    async with unit_of_work(ctx) as uow:
        await results.record_results(uow, class_id=class_id, actor=BOARD, data=ResultsIn(results=[
            ParticipantMarks(official_id=f"{code}-a", marks={"essay": Decimal(8), "final_exam": Decimal(8)})]))
    async with unit_of_work(ctx) as uow:
        done = await results.complete_class(uow, class_id=class_id, actor=BOARD)
    assert done["status"] == "completed" and done["passed"] == 1
    outbox = ctx.tables.outbox
    async with ctx.sessions() as s:
        payloads = (await s.execute(select(outbox.c.payload).where(outbox.c.event_type == "ClassCompleted"))).all()
    [data] = [json.loads(p[0])["data"] for p in payloads if json.loads(p[0])["data"]["class_code"] == code]
    return int(data["year"])


async def test_a_class_of_an_earlier_years_plan_completed_today_counts_for_that_year(ctx: ServiceContext) -> None:
    earlier = TODAY.year - 3
    async with unit_of_work(ctx) as uow:
        plan = await plans.adopt_plan(uow, actor=BOARD, data=PlanCreate.model_validate({
            "number": "159-KH/TU", "year": earlier, "items": [{"programme_code": "LLCT-TC", "quota": 5}]}))
    async with ctx.sessions() as s:
        [item] = (await plans.plan_doc(s, plan))["items"]
    assert await _completed_year(ctx, "TC-PLAN", item["id"]) == earlier
    assert await _completed_year(ctx, "TC-FREE", None) == TODAY.year
