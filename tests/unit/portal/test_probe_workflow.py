"""A workflow asks through HumanTasks.ask on the time-skipping server; the real portal activities file the task;
the portal API completes it with a real Temporal Update; the workflow proceeds; a second completion is refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts import queues
from services.portal.adapters.updates import TemporalUpdateSender
from tests.support.portal_probe import PortalProbe, PortalProbeInput, PortalProbeResult
from tests.support.seal import TEST_SIGNER
from tests.support.tools import start_time_skipping
from tests.unit.portal.support import Portal, make_portal


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await start_time_skipping()
    try:
        yield environment
    finally:
        await environment.shutdown()


async def _until(fetch: Any, timeout: float = 60.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = await fetch()
        if got:
            return got
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def _task_in_inbox(portal: Portal, user: str, **params: str) -> dict[str, Any]:
    async def fetch() -> dict[str, Any] | None:
        async with portal.client(user) as c:
            items = (await c.get("/tasks", params=params)).json()["items"]
        return items[0] if items else None

    found: dict[str, Any] = await _until(fetch)
    return found


async def _run(env: WorkflowEnvironment, tmp: Path, inp: PortalProbeInput) -> tuple[Portal, WorkflowHandle[Any, Any],
                                                                                    Worker, Worker]:
    portal = await make_portal(tmp)
    portal.app.state.update_sender = TemporalUpdateSender(client=env.client, signer=TEST_SIGNER,
                                                          clock=env.get_current_time)
    queue = f"wf-{uuid.uuid4().hex}"
    wf_worker = Worker(env.client, task_queue=queue, workflows=[PortalProbe])
    act_worker = Worker(env.client, task_queue=queues.PORTAL,
                        activities=[portal.acts.create_task, portal.acts.task_overdue, portal.acts.close_task])
    handle = await env.client.start_workflow(PortalProbe.run, inp, id=f"probe-{uuid.uuid4().hex[:8]}",
                                             task_queue=queue)
    return portal, handle, wf_worker, act_worker


async def test_task_completed_through_the_api_lets_the_workflow_proceed(env: WorkflowEnvironment,
                                                                        tmp_path: Path) -> None:
    portal, handle, wf_worker, act_worker = await _run(env, tmp_path, PortalProbeInput())
    async with wf_worker, act_worker:
        task = await _task_in_inbox(portal, "btc.nguyenvanhai")
        async with portal.client("btc.nguyenvanhai") as c:
            refused = await c.post(f"/tasks/{task['id']}/complete", json={"action": "mark", "inputs": {}})
            assert refused.status_code == 422, refused.text  # refused by the portal, before any Update
            assert refused.json()["errors"][0] == {"field": "inputs.mark", "code": "input_missing",
                                                   "message_en": "Mark is required", "message_vi": "Thiếu Điểm"}
            assert (await c.get(f"/tasks/{task['id']}")).json()["status"] == "open", "a refusal reopens the task"
            resp = await c.post(f"/tasks/{task['id']}/complete",
                                json={"action": "approve", "comment": "Đồng ý đề nghị"})
        assert resp.status_code == 200 and resp.json()["status"] == "accepted", resp.text
        result: PortalProbeResult = await handle.result()
        assert (result.action, result.actor_id, result.comment) == ("approve", "btc.nguyenvanhai", "Đồng ý đề nghị")
        async with portal.client("btc.tranthithu") as c:
            again = await c.post(f"/tasks/{task['id']}/complete", json={"action": "refuse", "comment": "Không"})
        assert again.status_code == 409 and again.json()["code"] == "task_not_open"
        async with portal.client("btc.nguyenvanhai") as c:
            closed = (await c.get(f"/tasks/{task['id']}")).json()
        assert closed["status"] == "completed" and closed["decided_by"] == "btc.nguyenvanhai"


async def test_the_workflow_validator_refuses_a_repeated_update(env: WorkflowEnvironment, tmp_path: Path) -> None:
    """Even past the portal's own check (a stale portal), the workflow refuses a second decision."""
    portal, handle, wf_worker, act_worker = await _run(env, tmp_path, PortalProbeInput())
    async with wf_worker, act_worker:
        task = await _task_in_inbox(portal, "btc.nguyenvanhai")
        async with portal.client("btc.nguyenvanhai") as c:
            assert (await c.post(f"/tasks/{task['id']}/complete", json={"action": "approve"})).status_code == 200
        await handle.result()
        async with portal.ctx.sessions() as s, s.begin():
            from services.portal.models import Task

            row = await s.get(Task, task["id"])
            assert row is not None
            row.status = "open"  # pretend the portal lost track of it
        async with portal.client("btc.tranthithu") as c:
            again = await c.post(f"/tasks/{task['id']}/complete", json={"action": "approve"})
        assert again.status_code == 409, again.text
        assert again.json()["code"] in ("task_not_open", "workflow_not_waiting")


async def test_overdue_task_is_reminded_then_escalated(env: WorkflowEnvironment, tmp_path: Path) -> None:
    inp = PortalProbeInput(candidate_roles=["examiner"], kind="essay_marking", due_in_seconds=3600,
                           escalate_after_seconds=3600)
    portal, handle, wf_worker, act_worker = await _run(env, tmp_path, inp)
    async with wf_worker, act_worker:
        task = await _task_in_inbox(portal, "gk.hoangminhduc")
        await env.sleep(3601)
        await _task_in_inbox(portal, "gk.hoangminhduc", overdue="true")
        await env.sleep(3601)
        escalated = await _task_in_inbox(portal, "btc.nguyenvanhai")
        assert escalated["id"] == task["id"] and escalated["escalated"] is True
        async with portal.client("btc.nguyenvanhai") as c:
            assert (await c.post(f"/tasks/{task['id']}/complete", json={"action": "approve"})).status_code == 200
        assert (await handle.result()).actor_id == "btc.nguyenvanhai"
