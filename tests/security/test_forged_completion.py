"""Issue #16, item 1: a completion cannot be forged. Each test repeats an attack on a real Temporal server (the
time-skipping test server) and asserts that the workflow's Update validator refuses it.

The first one is the attack as reported: `temporal workflow update execute -w registration-review-<id>
--name complete_task` with ``"actor_id": "mallory"``, sent with the Temporal CLI itself."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.human_tasks import COMPLETE_TASK_UPDATE, TaskDecision
from contracts.registration import RegistrationReviewInput, review_workflow_id
from shared import seal
from tests.support.portal_probe import PortalProbe, PortalProbeInput
from tests.support.portal_standin import Portal
from tests.support.seal import TEST_SIGNER, sealed
from tests.support.tools import start_time_skipping, tool_path
from tests.unit.portal.samples import sample_dossier
from workflows.registration_review import RegistrationReview


@dataclass
class Rig:
    env: WorkflowEnvironment
    portal: Portal
    queue: str


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    env = await start_time_skipping()
    portal, queue = Portal(), f"sec-{uuid.uuid4().hex}"
    async with env, Worker(env.client, task_queue=queue, workflows=[RegistrationReview, PortalProbe]), \
            Worker(env.client, task_queue="portal", activities=portal.activities()):
        yield Rig(env, portal, queue)


async def _filed(rig: Rig, handle: WorkflowHandle[Any, Any]) -> str:
    """Wait until the workflow filed its task and opened it; the stand-in portal's task id."""
    for _ in range(200):
        ids = [f"task-{i + 1}" for i, c in enumerate(rig.portal.created) if c.workflow_id == handle.id]
        if ids:
            await asyncio.sleep(0.2)  # the workflow processes create_task's result
            return ids[0]
        await asyncio.sleep(0.05)
    raise AssertionError("the workflow filed no task")


async def _review(rig: Rig) -> tuple[WorkflowHandle[Any, Any], str]:
    reg_id = str(uuid.uuid4())
    inp = RegistrationReviewInput(registration_id=reg_id, unit_code="DONGXOAI", official_name="Nguyễn Văn An",
                                  programme_code="CCLLCT", plan_year=2026, class_id=None,
                                  findings=[{"code": "duplicate", "message": "Đã học"}],
                                  policy_version="registration-checks/2026-1")
    handle = await rig.env.client.start_workflow(RegistrationReview.run, inp, id=review_workflow_id(reg_id),
                                                 task_queue=rig.queue)
    return handle, await _filed(rig, handle)


def _board(task_id: str, **changes: Any) -> TaskDecision:
    decision = TaskDecision(task_key="review", task_id=task_id, action="approve", inputs={}, comment="Đồng ý",
                            actor_id="btc.nguyenvanhai", actor_role="organization_board", actor_unit="BTCTU")
    return replace(decision, **changes)


async def _refused(handle: WorkflowHandle[Any, Any], decision: TaskDecision) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(COMPLETE_TASK_UPDATE, decision)
    return str(refused.value.cause)


async def _still_waiting(handle: WorkflowHandle[Any, Any]) -> None:
    assert await handle.query("status") in ("awaiting_review", "asking"), "the workflow took no decision"


async def test_mallory_with_the_temporal_cli_is_refused(rig: Rig) -> None:
    handle, task_id = await _review(rig)
    forged = asdict(_board(task_id, actor_id="mallory", comment=""))
    target = rig.env.client.service_client.config.target_host
    out = await asyncio.to_thread(subprocess.run, [
        str(tool_path("temporal")), "workflow", "update", "execute", "--address", target, "--namespace",
        rig.env.client.namespace, "-w", handle.id, "--name", COMPLETE_TASK_UPDATE, "--input", json.dumps(forged)],
        capture_output=True, text=True, timeout=60)
    assert out.returncode != 0, out.stdout
    assert "seal_missing" in out.stdout + out.stderr, out.stdout + out.stderr
    await _still_waiting(handle)
    assert rig.portal.closed == [], "no decision reached the portal's audit record"


async def test_a_seal_made_with_another_key_is_refused(rig: Rig) -> None:
    handle, task_id = await _review(rig)
    mallory_key = seal.Signer(Ed25519PrivateKey.generate())
    own = mallory_key.seal(_board(task_id, actor_id="mallory"), workflow_id=handle.id,
                           now=await rig.env.get_current_time())
    assert "seal_unknown_key" in await _refused(handle, own)
    # …nor does naming the portal's key id help: the signature is checked against the portal's public key
    assert "seal_invalid" in await _refused(handle, replace(own, key_id=TEST_SIGNER.key_id))
    await _still_waiting(handle)


async def test_a_valid_seal_replayed_with_other_inputs_is_refused(rig: Rig) -> None:
    handle, task_id = await _review(rig)
    good = await sealed(_board(task_id, action="refuse", comment="Không đủ điều kiện"), workflow_id=handle.id,
                        env=rig.env)
    for changed in (replace(good, action="approve"), replace(good, comment="Đồng ý"),
                    replace(good, actor_id="mallory"), replace(good, on_behalf_of="btc.tranthithu"),
                    replace(good, inputs={"days": 5}), replace(good, dossier_digest="0" * 64)):
        assert "seal_invalid" in await _refused(handle, changed)
    await _still_waiting(handle)


async def test_a_seal_for_another_workflow_or_task_is_refused(rig: Rig) -> None:
    first, first_task = await _review(rig)
    second, second_task = await _review(rig)
    for_first = await sealed(_board(first_task), workflow_id=first.id, env=rig.env)
    assert "seal_invalid" in await _refused(second, for_first), "a seal is bound to its workflow"
    # sealed for the second workflow but naming the first one's task: the workflow knows its own task id
    misaddressed = await sealed(_board(first_task), workflow_id=second.id, env=rig.env)
    assert "task_mismatch" in await _refused(second, misaddressed)
    await _still_waiting(first)
    await _still_waiting(second)
    assert second_task != first_task


async def test_an_expired_seal_is_refused(rig: Rig) -> None:
    handle, task_id = await _review(rig)
    now = await rig.env.get_current_time()
    stale = TEST_SIGNER.seal(_board(task_id), workflow_id=handle.id,
                             now=now - timedelta(seconds=TEST_SIGNER.ttl_seconds + 1))
    assert "seal_expired" in await _refused(handle, stale)
    # and a seal that claims to live for a day is no long-lived approval either
    forever = seal.Signer(TEST_SIGNER.private, ttl_seconds=24 * 3600).seal(_board(task_id), workflow_id=handle.id,
                                                                           now=now)
    assert "seal_invalid" in await _refused(handle, forever)
    await _still_waiting(handle)


async def test_a_sealed_decision_by_someone_the_task_was_not_filed_for_is_refused(rig: Rig) -> None:
    """Defence in depth: even a correctly sealed decision (a portal bug, a stolen key within its lifetime) must
    come from the person the task was filed for, in one of its roles, and from nobody it excludes."""
    inp = PortalProbeInput(candidate_roles=["committee_member"], kind="committee_vote",
                           assignee="tv.dangvanlong", excluded_users=["tv.buithimai"],
                           dossier=sample_dossier("committee_vote"))
    handle = await rig.env.client.start_workflow(PortalProbe.run, inp, id=f"probe-{uuid.uuid4().hex[:8]}",
                                                 task_queue=rig.queue)
    task_id = await _filed(rig, handle)

    def vote(**changes: Any) -> TaskDecision:
        return replace(TaskDecision(task_key="probe", task_id=task_id, action="approve", inputs={}, comment="",
                                    actor_id="tv.dangvanlong", actor_role="committee_member"), **changes)

    async def refusal(decision: TaskDecision) -> str:
        return await _refused(handle, await sealed(decision, workflow_id=handle.id, env=rig.env))

    assert "wrong_actor" in await refusal(vote(actor_id="bt.ngoquangvinh"))
    assert "wrong_actor" in await refusal(vote(actor_id="tc.dongxoai", on_behalf_of="tv.dangvanlong"))
    assert "personal_decision" in await refusal(vote(on_behalf_of="tv.buithimai"))
    assert "wrong_role" in await refusal(vote(actor_role="unit_officer"))
    await _still_waiting(handle)
    accepted = await handle.execute_update(COMPLETE_TASK_UPDATE, await sealed(vote(), workflow_id=handle.id,
                                                                              env=rig.env))
    assert accepted == "accepted", "the member herself, sealed by the portal, is accepted"
    assert (await handle.result()).actor_id == "tv.dangvanlong"
