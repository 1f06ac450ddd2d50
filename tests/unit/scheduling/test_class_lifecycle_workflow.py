"""ClassLifecycle on the time-skipping server: three months in seconds, with scheduling's real activities on
SQLite and stand-in portal activities (same names) that record their calls."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.human_tasks import TaskDecision
from contracts.scheduling import ClassLifecycleInput, CompletionResult
from services.scheduling.activities import SchedulingActivities
from services.scheduling.models import CourseClass, Enrolment
from services.scheduling.schemas import AttendanceIn, ParticipantMarks, ResultsIn
from services.scheduling.service import lifecycle, results
from services.scheduling.service.classes import sessions_of
from shared.context import ServiceContext
from shared.uow import unit_of_work
from tests.support.portal_standin import Portal
from tests.support.seal import sealed
from tests.support.tools import start_time_skipping
from tests.unit.scheduling.support import BOARD, enrol, outbox_types, scheduling_context, seed_class, seed_programme
from workflows.class_lifecycle import ClassLifecycle


@dataclass
class Rig:
    env: WorkflowEnvironment
    ctx: ServiceContext
    portal: Portal
    queue: str


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    env = await start_time_skipping()
    ctx = await scheduling_context(tmp_path)
    await seed_programme(ctx)
    portal, queue = Portal(), f"wf-{uuid.uuid4()}"
    acts = SchedulingActivities(ctx).all()
    async with env, \
            Worker(env.client, task_queue=queue, workflows=[ClassLifecycle]), \
            Worker(env.client, task_queue="scheduling", activities=acts), \
            Worker(env.client, task_queue="portal",
                   activities=[portal.create_task, portal.task_overdue, portal.close_task]):
        yield Rig(env, ctx, portal, queue)
    await ctx.dispose()


async def _complete(rig: Rig, handle: WorkflowHandle[Any, Any], decision: TaskDecision) -> Any:
    """Send the decision as the portal would: for the task the (stand-in) portal filed, sealed with the portal's
    (test) key at the server's time."""
    filed = [i for i, c in enumerate(rig.portal.created)
             if c.workflow_id == handle.id and c.request.task_key == decision.task_key]
    if filed:
        decision = replace(decision, task_id=f"task-{filed[-1] + 1}")
    return await handle.execute_update("complete_task", await sealed(decision, workflow_id=handle.id, env=rig.env))


async def _start(rig: Rig, class_id: str) -> WorkflowHandle[Any, Any]:
    return await rig.env.client.start_workflow(ClassLifecycle.run, ClassLifecycleInput(class_id),
                                               id=f"class-lifecycle-{class_id}", task_queue=rig.queue)


def _decision(key: str, action: str, *, inputs: dict[str, Any] | None = None, comment: str = "") -> TaskDecision:
    return TaskDecision(task_key=key, task_id="task-1", action=action, inputs=inputs or {}, comment=comment,
                        actor_id="btc.tran", actor_role="organization_board")


async def _eventually(pred: Any, what: str) -> None:
    for _ in range(200):
        got = pred()
        if hasattr(got, "__await__"):
            got = await got
        if got:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _class(ctx: ServiceContext, class_id: str) -> CourseClass:
    async with ctx.sessions() as s:
        found = await s.get(CourseClass, class_id)
    assert found is not None
    return found


async def _audit(ctx: ServiceContext) -> list[dict[str, Any]]:
    async with ctx.sessions() as s:
        bodies = (await s.execute(select(ctx.tables.audit.c.body).order_by(ctx.tables.audit.c.seq))).scalars().all()
    return [json.loads(b) for b in bodies]


async def _deadline_moved(ctx: ServiceContext, class_id: str) -> bool:
    return not (await _class(ctx, class_id)).enrolment_closed


async def test_three_month_class_with_below_target_extension(rig: Rig) -> None:
    today = datetime.now(UTC).date()
    class_id = await seed_class(rig.ctx, code="TC-2026-01", today=today, capacity=3, target=3)
    assert await enrol(rig.ctx, class_id, "a") == "enrolled"
    handle = await _start(rig, class_id)

    await rig.env.sleep(timedelta(days=16))  # past the deadline with 1 of 3: the Board gets a task
    assert len(rig.portal.created) == 1
    request = rig.portal.created[0].request
    assert request.kind == "class_below_target" and request.candidate_roles == ["organization_board"]
    # no other class of the programme has seats: merging is not offered
    assert {a.name for a in request.actions} == {"open_anyway", "extend", "cancel"}
    assert request.dossier["enrolled"] == 1 and request.dossier["target"] == 3
    assert (await _class(rig.ctx, class_id)).enrolment_closed

    with pytest.raises(WorkflowUpdateFailedError):  # the validator refuses 0 days
        await _complete(rig, handle, _decision("below_target:0", "extend", inputs={"days": 0}))
    await _complete(rig, handle, _decision("below_target:0", "extend", inputs={"days": 5}))
    await _eventually(lambda: _deadline_moved(rig.ctx, class_id), "the extension applied")
    assert [c.decision.action for c in rig.portal.closed] == ["extend"]
    cls = await _class(rig.ctx, class_id)
    assert cls.enrolment_deadline == today + timedelta(days=19) and not cls.enrolment_closed
    assert await enrol(rig.ctx, class_id, "b") == "enrolled"
    assert await enrol(rig.ctx, class_id, "c") == "enrolled"
    assert await enrol(rig.ctx, class_id, "d") == "waitlisted"

    await rig.env.sleep(timedelta(days=8))  # new deadline met, then the start date
    assert (await _class(rig.ctx, class_id)).status == "running"
    assert len(rig.portal.created) == 1, "target met: no second task"

    async with rig.ctx.sessions() as s:
        sessions = await sessions_of(s, class_id)
    for i, sess in enumerate(sessions):
        present = ["a", "b"] if i < 2 else ["a", "b", "c"]
        async with unit_of_work(rig.ctx) as uow:
            await results.record_attendance(uow, class_id=class_id, actor=BOARD,
                                            data=AttendanceIn(session_id=sess.id, present=present))
    marks = {"a": (8, 9), "b": (3, 4), "c": (9, 9)}
    async with unit_of_work(rig.ctx) as uow:
        await results.record_results(uow, class_id=class_id, actor=BOARD, data=ResultsIn(results=[
            ParticipantMarks(official_id=k, marks={"essay": Decimal(e), "final_exam": Decimal(f)})
            for k, (e, f) in marks.items()]))
    await handle.signal("results_recorded")

    outcome: CompletionResult = await handle.result()  # skips to the end of the three months
    assert (outcome.status, outcome.passed, outcome.failed, outcome.incomplete) == ("completed", 1, 1, 1)
    assert (await handle.query("status"))["decisions"] == ["extend"]
    async with rig.ctx.sessions() as s:
        rows = {e.official_id: e for e in (await s.execute(select(Enrolment).where(
            Enrolment.class_id == class_id))).scalars().all()}
    assert rows["a"].result == "passed" and rows["a"].certificate_no == f"CN-{(today + timedelta(days=111)).year}-00001"
    assert rows["a"].hours == 12 and rows["c"].result == "incomplete"  # c attended 4 of 12 hours
    assert rows["b"].result == "failed" and rows["b"].certificate_no is None
    assert rows["d"].status == "waitlisted"
    types = await outbox_types(rig.ctx)
    for t in ("ClassEnrolmentOpened", "ClassEnrolmentClosed", "ClassEnrolmentExtended", "ClassStarted",
              "AttendanceRecorded", "ResultsRecorded", "CertificateIssued", "ClassCompleted"):
        assert t in types, t
    async with rig.ctx.sessions() as s:
        payload = (await s.execute(select(rig.ctx.tables.outbox.c.payload).where(
            rig.ctx.tables.outbox.c.event_type == "ClassCompleted"))).scalar_one()
    completed = json.loads(payload)["data"]
    assert completed["programme_category"] == "political_theory.intermediate"
    assert sorted((p["official_id"], p["result"], p["hours"]) for p in completed["participants"]) == [
        ("a", "passed", 12), ("b", "failed", 12), ("c", "incomplete", 4)]
    extend = [a for a in await _audit(rig.ctx) if a["action"] == "class.below_target.extend"]
    assert extend[0]["actor"]["user_id"] == "btc.tran" and extend[0]["workflow_id"] == handle.id
    assert extend[0]["reason"]["vi"].startswith("Gia hạn chiêu sinh")


async def test_an_early_close_asked_before_the_workflow_runs_is_not_lost(rig: Rig) -> None:
    """The Board closes enrolment right after scheduling a class, before the lifecycle (started from the
    ClassScheduled event) runs: the signal finds no workflow, and the request, kept on the class, is served when the
    workflow starts instead of two weeks later at the deadline (a CI run's scenario waited on exactly this)."""
    today = datetime.now(UTC).date()
    class_id = await seed_class(rig.ctx, code="CM-2026-T", today=today, capacity=5, target=2)
    for who in ("a", "b"):
        assert await enrol(rig.ctx, class_id, who) == "enrolled"
    async with unit_of_work(rig.ctx) as uow:
        await lifecycle.request_close(uow, class_id=class_id, actor=BOARD, reason="Đủ học viên")
    assert (await _class(rig.ctx, class_id)).close_requested_at is not None
    await _start(rig, class_id)
    await rig.env.sleep(timedelta(hours=1))  # the deadline is two weeks away
    cls = await _class(rig.ctx, class_id)
    assert cls.enrolment_closed, "the early close asked before the workflow ran was lost"
    assert cls.close_requested_at is None, "served: an extended round would wait for its own deadline"
    assert "ClassEnrolmentClosed" in await outbox_types(rig.ctx)
    assert rig.portal.created == [], "target met: no below-target task"


async def test_overdue_decision_is_reminded_then_escalated_then_cancelled(rig: Rig) -> None:
    today = datetime.now(UTC).date()
    class_id = await seed_class(rig.ctx, code="TC-2026-02", today=today, capacity=4, target=2)
    await enrol(rig.ctx, class_id, "x")
    handle = await _start(rig, class_id)
    # enrolment closes at the UTC midnight after the deadline (today + 14); the decision is asked then, due three
    # days later, escalated two days after that — timed from the close, whatever the hour the test starts
    closes = datetime.combine(today + timedelta(days=15), time.min, tzinfo=UTC)

    async def sleep_until(moment: datetime) -> None:
        await rig.env.sleep(moment - await rig.env.get_current_time())

    await sleep_until(closes + timedelta(days=1))
    assert len(rig.portal.created) == 1 and rig.portal.overdue == []
    await sleep_until(closes + timedelta(days=3, hours=1))
    assert [o.stage for o in rig.portal.overdue] == ["reminded"]
    await sleep_until(closes + timedelta(days=5, hours=1))
    assert [o.stage for o in rig.portal.overdue] == ["reminded", "escalated"]
    assert rig.portal.overdue[1].escalation_roles == ["organization_board"]

    with pytest.raises(WorkflowUpdateFailedError):  # cancel needs a comment
        await _complete(rig, handle, _decision("below_target:0", "cancel"))
    await _complete(rig, handle, _decision("below_target:0", "cancel",
                                                           comment="Không đủ học viên"))
    outcome: CompletionResult = await handle.result()
    assert outcome.status == "cancelled"
    cls = await _class(rig.ctx, class_id)
    assert cls.status == "cancelled"
    async with rig.ctx.sessions() as s:
        statuses = (await s.execute(select(Enrolment.status).where(Enrolment.class_id == class_id))).scalars().all()
    assert list(statuses) == ["cancelled"]
    assert "ClassCancelled" in await outbox_types(rig.ctx)
    assert [a["action"] for a in await _audit(rig.ctx)][-1] == "class.below_target.cancel"


async def test_merge_moves_participants_into_the_other_class(rig: Rig) -> None:
    today = datetime.now(UTC).date()
    small = await seed_class(rig.ctx, code="TC-2026-03", today=today, capacity=4, target=3)
    big = await seed_class(rig.ctx, code="TC-2026-04", today=today, capacity=4, target=1, deadline_in=20,
                           start_in=25)
    await enrol(rig.ctx, small, "m1")
    await enrol(rig.ctx, small, "m2")
    handle = await _start(rig, small)
    await rig.env.sleep(timedelta(days=16))
    await _eventually(lambda: len(rig.portal.created) == 1, "the below-target task")
    [merge] = [a for a in rig.portal.created[0].request.actions if a.name == "merge"]
    assert merge.inputs[0].kind == "choice" and merge.inputs[0].choices == ["TC-2026-04"]  # not itself, by code
    with pytest.raises(WorkflowUpdateFailedError):  # a class that is not one of the options is refused
        await _complete(rig, handle, _decision("below_target:0", "merge", inputs={"target_class_id": "TC-2026-03"}))
    await _complete(rig, handle, _decision("below_target:0", "merge", inputs={"target_class_id": "TC-2026-04"}))
    assert (await handle.result()).status == "cancelled"
    assert (await _class(rig.ctx, small)).merged_into == big
    async with rig.ctx.sessions() as s:
        moved = (await s.execute(select(Enrolment.official_id, Enrolment.status).where(
            Enrolment.class_id == big).order_by(Enrolment.seq))).all()
    assert [tuple(r) for r in moved] == [("m1", "enrolled"), ("m2", "enrolled")]
