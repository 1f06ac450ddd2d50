"""The reconciler's decisions and the stalled-workflows count, on SQLite with a fake workflow to ask (the real
Temporal server: tests/integration/test_task_reconciler.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import REGISTRY
from sqlalchemy import text, update

from contracts.human_tasks import CloseTaskInput, TaskDecision, TaskState
from services.portal.models import Task
from services.portal.schemas import TaskComplete
from services.portal.service.completion import _begin
from services.portal.service.reconciler import reconcile
from services.portal.service.stalls import refresh_stalled, stalled_workflows
from shared.auth import decode_token, token_for_demo_user
from tests.unit.portal.support import Portal, make_portal

APPROVER = "btc.nguyenvanhai"


@dataclass
class FakeTaskStates:
    """Answers as the workflow would; records who was asked."""

    answer: dict[str, TaskState] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def ask(self, *, workflow_id: str, run_id: str, task_key: str) -> TaskState:
        self.asked.append(workflow_id)
        return self.answer[workflow_id]


async def _completing(portal: Portal, workflow_id: str) -> tuple[str, TaskDecision]:
    task_id = await portal.ask(workflow_id=workflow_id)
    principal = decode_token(portal.settings, token_for_demo_user(portal.settings, APPROVER), audience="portal")
    _, decision = await _begin(portal.ctx, task_id=task_id, principal=principal,
                               body=TaskComplete(action="approve", comment="Đồng ý"), kind=None)
    return task_id, decision


async def _row(portal: Portal, task_id: str) -> Task:
    async with portal.ctx.sessions() as session:
        task = await session.get(Task, task_id)
    assert task is not None
    return task


async def _audit(portal: Portal, task_id: str) -> list[str]:
    async with portal.ctx.sessions() as session:
        return list((await session.execute(text("SELECT action FROM audit_log WHERE subject=:s"),
                                           {"s": f"task:{task_id}"})).scalars().all())


async def test_decided_open_and_gone_tasks_are_settled_each_once(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    try:
        decided, decision = await _completing(portal, "wf-decided")
        waiting, _ = await _completing(portal, "wf-waiting")
        gone, _ = await _completing(portal, "wf-gone")
        states = FakeTaskStates({"wf-decided": TaskState("decided", decision), "wf-waiting": TaskState("open"),
                                 "wf-gone": TaskState("unknown")})
        within = await reconcile(portal.ctx, states, grace_seconds=300)  # an Update may still be in flight
        assert (within.completed, within.reopened, within.left, states.asked) == ([], [], [], [])

        done = await reconcile(portal.ctx, states, grace_seconds=0)
        assert done.completed == [decided] and sorted(done.reopened) == sorted([waiting, gone]) and done.left == []
        closed = await _row(portal, decided)
        assert (closed.status, closed.decided_by, closed.decision_comment) == ("completed", APPROVER, "Đồng ý")
        assert [(await _row(portal, t)).status for t in (waiting, gone)] == ["open", "open"]
        assert (await _row(portal, waiting)).completing_since is None

        # the workflow's own close_task, when it runs later, writes nothing more
        await portal.acts.close_task(CloseTaskInput(decided, decision))
        assert await _audit(portal, decided) == ["task.approve"]
        assert await _audit(portal, waiting) == []
    finally:
        await portal.ctx.dispose()


async def test_a_completion_begun_again_since_the_read_is_not_reopened(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    try:
        task_id, _ = await _completing(portal, "wf-race")

        class RacingStates:
            async def ask(self, *, workflow_id: str, run_id: str, task_key: str) -> TaskState:
                # while the workflow is asked, the abort runs and someone begins a new completion
                async with portal.ctx.sessions() as session, session.begin():
                    await session.execute(update(Task).where(Task.id == task_id).values(
                        completing_since=datetime.now(UTC) + timedelta(seconds=1)))
                return TaskState("open")

        done = await reconcile(portal.ctx, RacingStates(), grace_seconds=0)
        assert done.reopened == [] and (await _row(portal, task_id)).status == "completing"
    finally:
        await portal.ctx.dispose()


async def test_stalled_workflows_are_those_past_a_deadline_with_nothing_decided_since(tmp_path: Path) -> None:
    portal = await make_portal(tmp_path)
    try:
        now = datetime.now(UTC)
        late = await portal.ask(workflow_id="wf-late", key="a")
        moved = await portal.ask(workflow_id="wf-moved", key="a")
        moved_done = await portal.ask(workflow_id="wf-moved", key="b")
        fresh = await portal.ask(workflow_id="wf-fresh", key="a")
        async with portal.ctx.sessions() as session, session.begin():
            for task_id, due in ((late, now - timedelta(days=3)), (moved, now - timedelta(days=3)),
                                 (moved_done, now - timedelta(days=3)), (fresh, now - timedelta(hours=1))):
                await session.execute(update(Task).where(Task.id == task_id).values(due_at=due))
            await session.execute(update(Task).where(Task.id == moved_done).values(
                status="completed", completed_at=now - timedelta(days=1)))
        found = await stalled_workflows(portal.ctx, after_seconds=86400)
        assert found == {"Probe": ["wf-late"]}
        await refresh_stalled(portal.ctx, after_seconds=86400)
        assert REGISTRY.get_sample_value("cadre_workflows_stalled", {"workflow_type": "Probe"}) == 1
        async with portal.ctx.sessions() as session, session.begin():
            await session.execute(update(Task).where(Task.id == late).values(due_at=now))
        await refresh_stalled(portal.ctx, after_seconds=86400)  # a zero baseline while tasks of the type wait
        assert REGISTRY.get_sample_value("cadre_workflows_stalled", {"workflow_type": "Probe"}) == 0
        assert await stalled_workflows(portal.ctx, after_seconds=5 * 86400) == {}
    finally:
        await portal.ctx.dispose()
