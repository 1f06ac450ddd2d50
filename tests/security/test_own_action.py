"""Issue #16, item 3: nobody decides on their own action. The Board user who submitted a flagged registration tries
to approve it — through the portal (refused there) and, as if the portal had let him, straight to the workflow
(refused by its validator). The same exclusion holds for nominations, screening overrides and marks."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Worker

from contracts.human_tasks import COMPLETE_TASK_UPDATE, TaskDecision
from contracts.registration import RegistrationReviewInput, review_workflow_id
from services.portal.adapters.updates import TemporalUpdateSender
from shared.events.envelope import CloudEvent
from tests.support.seal import TEST_SIGNER, sealed
from tests.support.tools import start_time_skipping
from tests.unit.portal.support import make_portal
from workflows.registration_review import RegistrationReview
from workflows.starters import registration_review_starter

SUBMITTER = "btc.nguyenvanhai"


def _input(reg_id: str) -> RegistrationReviewInput:
    return RegistrationReviewInput(registration_id=reg_id, unit_code="DONGXOAI", official_name="Nguyễn Văn An",
                                   programme_code="CCLLCT", plan_year=2026, class_id=None,
                                   findings=[{"code": "duplicate", "message": "Đã học"}],
                                   policy_version="registration-checks/2026-1", submitted_by=SUBMITTER)


async def test_the_submitter_cannot_approve_his_own_flagged_registration(tmp_path: Path) -> None:
    env = await start_time_skipping()
    portal = await make_portal(tmp_path)
    portal.app.state.update_sender = TemporalUpdateSender(client=env.client, signer=TEST_SIGNER,
                                                          clock=env.get_current_time)
    queue, reg_id = f"own-{uuid.uuid4().hex}", str(uuid.uuid4())
    async with env, Worker(env.client, task_queue=queue, workflows=[RegistrationReview]), \
            Worker(env.client, task_queue="portal",
                   activities=portal.acts.all()):
        handle = await env.client.start_workflow(RegistrationReview.run, _input(reg_id),
                                                 id=review_workflow_id(reg_id), task_queue=queue)
        task: dict[str, Any] | None = None
        for _ in range(200):
            async with portal.client("btc.tranthithu") as c:
                items = (await c.get("/tasks")).json()["items"]
            if items:
                task = items[0]
                break
            await asyncio.sleep(0.05)
        assert task is not None, "the review reached the other Board member's inbox"
        async with portal.client(SUBMITTER) as c:
            assert (await c.get("/tasks")).json()["total"] == 0, "not in the submitter's inbox"
            resp = await c.post(f"/tasks/{task['id']}/complete", json={"action": "approve", "comment": "Đồng ý"})
        assert resp.status_code == 403 and resp.headers["content-type"].startswith("application/problem+json")
        assert "bốn mắt" in resp.json()["detail_vi"]

        # had the portal been fooled, the workflow still refuses the submitter (the task says whom it excludes)
        forged = await sealed(TaskDecision(task_key="review", task_id=task["id"], action="approve", inputs={},
                                           comment="", actor_id=SUBMITTER, actor_role="organization_board"),
                              workflow_id=handle.id, env=env)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(COMPLETE_TASK_UPDATE, forged)
        assert "excluded_actor" in str(refused.value.cause)
        assert await handle.query("status") == "awaiting_review"


async def test_the_review_starter_carries_the_submitter_into_the_task() -> None:
    started: list[RegistrationReviewInput] = []

    class FakeClient:
        async def start_workflow(self, _run: Any, inp: RegistrationReviewInput, **_kw: Any) -> None:
            started.append(inp)

    async def client() -> Any:
        return FakeClient()

    handle = registration_review_starter(client)
    await handle(CloudEvent(type="RegistrationFlagged", source="registration", subject="r1", data={
        "registration_id": "r1", "official_id": "o1", "unit_code": "DONGXOAI", "programme_code": "CCLLCT",
        "plan_year": 2026, "findings": [], "submitted_by": SUBMITTER}))
    assert started and started[0].submitted_by == SUBMITTER
