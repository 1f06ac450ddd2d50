"""Tasks left `completing` by a crash, settled by the reconciler, on PostgreSQL and the real Temporal server.

A PortalProbe workflow asks through the portal's real activities (on the `portal` queue of this module's own
namespace). Two crashes are played: the portal commits `completing` and dies before the Update (the task is
reopened, then completes normally), and the portal sends the Update and dies before the decision is closed (the
task is closed from the workflow's own record; the workflow's close_task, run later, changes nothing). Either way:
the workflow proceeds, one audit record and one TaskCompleted event.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf.duration_pb2 import Duration
from sqlalchemy import select, text
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from contracts import queues
from contracts.human_tasks import TASK_STATE_QUERY, TaskState
from services.portal.adapters.updates import TemporalUpdateSender
from services.portal.models import Task
from services.portal.schemas import TaskComplete
from services.portal.service.completion import _begin
from services.portal.service.reconciler import TemporalTaskStates, reconcile
from shared.auth import decode_token, token_for_demo_user
from shared.config import Settings
from tests.support import infra
from tests.support.portal_probe import PortalProbe, PortalProbeInput, PortalProbeResult
from tests.support.seal import TEST_SIGNER
from tests.unit.portal.support import Portal, make_portal

pytestmark = pytest.mark.integration

APPROVER = "btc.nguyenvanhai"


@pytest.fixture(scope="module")
def namespace() -> str:
    """A namespace of this run's own: the `portal` queue in it is polled by this test's activities only."""
    name = f"cadre-reconcile-{uuid.uuid4().hex[:8]}"

    async def register() -> None:
        client = await Client.connect(infra.temporal_address())
        await client.workflow_service.register_namespace(RegisterNamespaceRequest(
            namespace=name, workflow_execution_retention_period=Duration(seconds=86400)))
        for _ in range(150):
            try:
                await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=name))
                return
            except Exception:
                await asyncio.sleep(0.2)
        raise AssertionError(f"namespace {name} never became available")

    asyncio.run(register())
    return name


@asynccontextmanager
async def _setup(tmp_path: Path, namespace: str) -> AsyncIterator[tuple[Portal, Client]]:
    settings = Settings(data_dir=tmp_path, database_url=infra.new_database_template(),  # type: ignore[arg-type]
                        jwt_secret="reconciler-test-secret-0123456789abcdef")  # type: ignore[arg-type]
    portal = await make_portal(tmp_path, settings=settings)
    client = await Client.connect(infra.temporal_address(), namespace=namespace)
    portal.app.state.update_sender = TemporalUpdateSender(client=client, signer=TEST_SIGNER)
    try:
        yield portal, client
    finally:
        await portal.ctx.dispose()


def _portal_worker(portal: Portal, client: Client) -> Worker:
    acts = portal.acts
    return Worker(client, task_queue=queues.PORTAL, activities=[acts.create_task, acts.task_overdue, acts.close_task])


async def _filed(portal: Portal, workflow_id: str) -> Task:
    for _ in range(300):
        async with portal.ctx.sessions() as session:
            task = (await session.execute(select(Task).where(Task.workflow_id == workflow_id))).scalar_one_or_none()
        if task is not None:
            return task
        await asyncio.sleep(0.1)
    raise AssertionError(f"no task filed by {workflow_id}")


async def _status(portal: Portal, task_id: str) -> str:
    async with portal.ctx.sessions() as session:
        task = await session.get(Task, task_id)
    assert task is not None
    return task.status


async def _records(portal: Portal, task_id: str) -> tuple[list[str], list[str]]:
    """The task's audit actions and its outbox events, in order."""
    async with portal.ctx.sessions() as session:
        audit = (await session.execute(text("SELECT action FROM audit_log WHERE subject=:s ORDER BY seq"),
                                       {"s": f"task:{task_id}"})).scalars().all()
        events = (await session.execute(text("SELECT event_type FROM outbox WHERE key=:k ORDER BY seq"),
                                        {"k": task_id})).scalars().all()
    return list(audit), list(events)


async def _state(handle: WorkflowHandle[PortalProbe, PortalProbeResult]) -> str:
    return (await handle.query(TASK_STATE_QUERY, "probe", result_type=TaskState)).state


async def _start(client: Client, queue: str) -> WorkflowHandle[PortalProbe, PortalProbeResult]:
    return await client.start_workflow(PortalProbe.run, PortalProbeInput(), id=f"reconcile-{uuid.uuid4().hex[:10]}",
                                       task_queue=queue, execution_timeout=timedelta(minutes=5))


async def test_a_crash_before_the_update_reopens_the_task_and_it_completes_once(tmp_path: Path,
                                                                               namespace: str) -> None:
    async with _setup(tmp_path, namespace) as (portal, client), AsyncExitStack() as stack:
        queue = f"reconcile-it-{uuid.uuid4().hex}"
        await stack.enter_async_context(Worker(client, task_queue=queue, workflows=[PortalProbe]))
        await stack.enter_async_context(_portal_worker(portal, client))
        states = TemporalTaskStates(lambda: asyncio.sleep(0, client))
        handle = await _start(client, queue)
        task = await _filed(portal, handle.id)
        principal = decode_token(portal.settings, token_for_demo_user(portal.settings, APPROVER), audience="portal")
        # the portal commits `completing` and dies before sending the Update
        await _begin(portal.ctx, task_id=task.id, principal=principal, body=TaskComplete(action="approve"), kind=None)
        async with portal.client(APPROVER) as http:
            stuck = await http.post(f"/tasks/{task.id}/complete", json={"action": "approve"})
        assert stuck.status_code == 409, stuck.text

        within_grace = await reconcile(portal.ctx, states, grace_seconds=600)
        assert (within_grace.completed, within_grace.reopened) == ([], []), "an Update may still be in flight"
        settled = await reconcile(portal.ctx, states, grace_seconds=0)
        assert (settled.completed, settled.reopened, settled.left) == ([], [task.id], [])
        assert await _status(portal, task.id) == "open" and await _state(handle) == "open"

        async with portal.client(APPROVER) as http:
            done = await http.post(f"/tasks/{task.id}/complete", json={"action": "approve", "comment": "Đồng ý"})
        assert done.status_code == 200 and done.json()["status"] == "accepted", done.text
        result = await asyncio.wait_for(handle.result(), timeout=60)
        assert (result.action, result.actor_id, result.task_id) == ("approve", APPROVER, task.id)
        again = await reconcile(portal.ctx, states, grace_seconds=0)
        assert (again.completed, again.reopened) == ([], [])
        assert await _status(portal, task.id) == "completed"
        assert await _records(portal, task.id) == (["task.approve"], ["TaskCreated", "TaskCompleted"])


async def test_a_crash_after_the_update_closes_the_task_from_the_workflows_record_once(tmp_path: Path,
                                                                                      namespace: str) -> None:
    async with _setup(tmp_path, namespace) as (portal, client), AsyncExitStack() as stack:
        queue = f"reconcile-it-{uuid.uuid4().hex}"
        await stack.enter_async_context(Worker(client, task_queue=queue, workflows=[PortalProbe]))
        states = TemporalTaskStates(lambda: asyncio.sleep(0, client))
        async with _portal_worker(portal, client):
            handle = await _start(client, queue)
            task = await _filed(portal, handle.id)
            for _ in range(100):  # the workflow has the task id back: it waits for the decision
                if await _state(handle) == "open":
                    break
                await asyncio.sleep(0.1)
        # the portal's activities are gone from here on: the decision reaches the workflow, not the inbox
        principal = decode_token(portal.settings, token_for_demo_user(portal.settings, APPROVER), audience="portal")
        decision_of = TaskComplete(action="approve", comment="Đồng ý")
        _, decision = await _begin(portal.ctx, task_id=task.id, principal=principal, body=decision_of, kind=None)
        sent = await portal.app.state.update_sender.send(workflow_id=handle.id, update_name=task.update_name,
                                                         decision=decision)
        assert sent == "accepted" and await _state(handle) == "decided"
        assert await _status(portal, task.id) == "completing"

        settled = await reconcile(portal.ctx, states, grace_seconds=0)
        assert (settled.completed, settled.reopened, settled.left) == ([task.id], [], [])
        assert await _status(portal, task.id) == "completed"
        assert await _records(portal, task.id) == (["task.approve"], ["TaskCreated", "TaskCompleted"])

        async with _portal_worker(portal, client):  # the portal is back: the workflow's close_task runs, and proceeds
            result = await asyncio.wait_for(handle.result(), timeout=60)
        assert (result.action, result.actor_id, result.task_id) == ("approve", APPROVER, task.id)
        again = await reconcile(portal.ctx, states, grace_seconds=0)
        assert (again.completed, again.reopened) == ([], [])
        assert await _records(portal, task.id) == (["task.approve"], ["TaskCreated", "TaskCompleted"])


async def test_a_task_whose_workflow_ended_is_reopened(tmp_path: Path, namespace: str) -> None:
    async with _setup(tmp_path, namespace) as (portal, client), AsyncExitStack() as stack:
        queue = f"reconcile-it-{uuid.uuid4().hex}"
        await stack.enter_async_context(Worker(client, task_queue=queue, workflows=[PortalProbe]))
        await stack.enter_async_context(_portal_worker(portal, client))
        handle = await _start(client, queue)
        task = await _filed(portal, handle.id)
        principal = decode_token(portal.settings, token_for_demo_user(portal.settings, APPROVER), audience="portal")
        await _begin(portal.ctx, task_id=task.id, principal=principal, body=TaskComplete(action="approve"), kind=None)
        await handle.terminate("the test ends the process")
        settled = await reconcile(portal.ctx, TemporalTaskStates(lambda: asyncio.sleep(0, client)), grace_seconds=0)
        assert settled.reopened == [task.id] and await _status(portal, task.id) == "open"
        assert await _records(portal, task.id) == ([], ["TaskCreated"])


async def test_an_unreachable_workflow_service_leaves_the_task_for_the_next_pass(tmp_path: Path,
                                                                                namespace: str) -> None:
    async with _setup(tmp_path, namespace) as (portal, client), AsyncExitStack() as stack:
        queue = f"reconcile-it-{uuid.uuid4().hex}"
        await stack.enter_async_context(Worker(client, task_queue=queue, workflows=[PortalProbe]))
        await stack.enter_async_context(_portal_worker(portal, client))
        handle = await _start(client, queue)
        task = await _filed(portal, handle.id)
        principal = decode_token(portal.settings, token_for_demo_user(portal.settings, APPROVER), audience="portal")
        await _begin(portal.ctx, task_id=task.id, principal=principal, body=TaskComplete(action="approve"), kind=None)

        async def unreachable() -> Client:
            raise ConnectionError("temporal is down")

        left = await reconcile(portal.ctx, TemporalTaskStates(unreachable), grace_seconds=0)
        assert (left.completed, left.reopened, left.left) == ([], [], [task.id])
        assert await _status(portal, task.id) == "completing"
        await handle.terminate("done")
