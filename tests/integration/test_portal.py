"""The inbox on the real stack: a `cadre serve portal` process (API + its activities on the `portal` queue,
PostgreSQL, Kafka relay) and the real Temporal server. A workflow asks through HumanTasks.ask; the task appears in
the inbox; it is completed through the API (a real Update); the workflow proceeds; a second completion is refused;
the portal's audit record and TaskCompleted event are written."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from shared.auth import token_for_demo_user
from shared.config import Settings
from tests.support import infra
from tests.support.portal_probe import PortalProbe, PortalProbeInput, PortalProbeResult
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


NAMESPACE = "cadre-portal-it"  # its own namespace: other portal processes on a shared server poll `portal` too


async def _ensure_namespace() -> None:
    client = await Client.connect(infra.temporal_address())
    try:
        await client.workflow_service.register_namespace(RegisterNamespaceRequest(
            namespace=NAMESPACE, workflow_execution_retention_period=Duration(seconds=86400)))
    except RPCError as exc:
        if exc.status != RPCStatusCode.ALREADY_EXISTS:
            raise
    for _ in range(100):
        try:
            await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=NAMESPACE))
            return
        except RPCError:
            await asyncio.sleep(0.2)
    raise AssertionError(f"namespace {NAMESPACE} never became available")


@pytest.fixture(scope="module")
def portal_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The portal as a real process on fresh PostgreSQL databases, in its own Temporal namespace."""
    asyncio.run(_ensure_namespace())
    s = Stack.distributed(database_url=infra.new_database_template(), kafka=infra.kafka_bootstrap(),
                          temporal=infra.temporal_address(), log_dir=Path(tmp_path_factory.mktemp("portal")),
                          extra_env={"CADRE_TEMPORAL_NAMESPACE": NAMESPACE})
    migrated = s.cadre("migrate")
    assert migrated.returncode == 0, migrated.stderr
    s.start("portal")
    try:
        s.wait_ready("portal")
        yield s
    finally:
        s.stop()


def _headers(stack: Stack, user: str) -> dict[str, str]:
    settings = Settings(profile="distributed", jwt_secret=stack.env["CADRE_JWT_SECRET"])  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token_for_demo_user(settings, user)}"}


def _dsn(stack: Stack) -> str:
    return stack.env["CADRE_DATABASE_URL"].format(service="portal").replace("postgresql+asyncpg://", "postgresql://")


async def _inbox_item(http: httpx.AsyncClient, stack: Stack, user: str, subject: str) -> dict[str, Any]:
    for _ in range(150):
        items = (await http.get("/tasks", headers=_headers(stack, user))).json()["items"]
        found = [t for t in items if t["subject"] == subject]
        if found:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"task {subject} never reached the inbox of {user}")


async def test_workflow_task_completed_through_the_portal(portal_stack: Stack) -> None:
    client = await Client.connect(infra.temporal_address(), namespace=NAMESPACE)
    queue = f"portal-it-{uuid.uuid4().hex}"
    workflow_id = f"portal-it-{uuid.uuid4().hex[:10]}"
    async with Worker(client, task_queue=queue, workflows=[PortalProbe]), \
            httpx.AsyncClient(base_url=portal_stack.url("portal"), timeout=30) as http:
        handle = await client.start_workflow(
            PortalProbe.run, PortalProbeInput(excluded_users=["btc.tranthithu"]), id=workflow_id, task_queue=queue)
        task = await _inbox_item(http, portal_stack, "btc.nguyenvanhai", f"probe:{workflow_id}")
        mine = (await http.get("/tasks", headers=_headers(portal_stack, "btc.tranthithu"))).json()["items"]
        assert task["id"] not in {t["id"] for t in mine}, "four-eyes: an excluded user never sees it"
        refused = await http.post(f"/tasks/{task['id']}/complete", headers=_headers(portal_stack, "btc.tranthithu"),
                                  json={"action": "approve"})
        assert refused.status_code == 403 and refused.json()["detail_vi"], refused.text
        for mark in (140, 72.25, "72.25", "NaN", "-1", "mười"):  # off the range, off the step, not a number
            invalid = await http.post(f"/tasks/{task['id']}/complete",
                                      headers=_headers(portal_stack, "btc.nguyenvanhai"),
                                      json={"action": "mark", "inputs": {"mark": mark}})
            assert invalid.status_code == 422, invalid.text
            refusals = [(e["field"], e["code"]) for e in invalid.json()["errors"]]
            assert refusals == [("inputs.mark", "input_out_of_range")]
        with_id = await http.post(f"/tasks/{task['id']}/complete", headers=_headers(portal_stack, "btc.nguyenvanhai"),
                                  json={"action": "refuse", "comment": "Số định danh 079123456789 sai"})
        assert with_id.status_code == 422, with_id.text
        assert [(e["field"], e["code"]) for e in with_id.json()["errors"]] == [("comment", "personal_id_in_text")]
        assert (await http.get(f"/tasks/{task['id']}", headers=_headers(portal_stack, "btc.nguyenvanhai"))
                ).json()["status"] == "open", "a refused decision leaves the task open, nothing sent"
        done = await http.post(f"/tasks/{task['id']}/complete", headers=_headers(portal_stack, "btc.nguyenvanhai"),
                               json={"action": "approve", "comment": "Đồng ý"})
        assert done.status_code == 200 and done.json()["status"] == "accepted", done.text
        result: PortalProbeResult = await asyncio.wait_for(handle.result(), timeout=60)
        assert (result.action, result.actor_id, result.task_id) == ("approve", "btc.nguyenvanhai", task["id"])
        again = await http.post(f"/tasks/{task['id']}/complete", headers=_headers(portal_stack, "btc.nguyenvanhai"),
                                json={"action": "approve", "comment": "Lần nữa"})
        assert again.status_code == 409 and again.json()["code"] == "task_not_open", again.text

    with psycopg.connect(_dsn(portal_stack)) as conn:
        row = conn.execute("SELECT status, decided_by FROM tasks WHERE id=%s", (task["id"],)).fetchone()
        audit = conn.execute("SELECT action, body FROM audit_log WHERE subject=%s", (f"task:{task['id']}",)).fetchall()
        events = conn.execute("SELECT event_type FROM outbox WHERE key=%s ORDER BY seq", (task["id"],)).fetchall()
    assert row == ("completed", "btc.nguyenvanhai")
    assert [a for a, _ in audit] == ["task.approve"]
    body = json.loads(audit[0][1])
    assert body["workflow_id"] == workflow_id and body["actor"]["user_id"] == "btc.nguyenvanhai"
    assert len(body["inputs"]["dossier_digest"]) == 64 and body["inputs"]["signature"] == "approve"
    assert [e for (e,) in events] == ["TaskCreated", "TaskCompleted"]


async def test_demo_sign_in_is_off_outside_the_embedded_profile(portal_stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=portal_stack.url("portal"), timeout=10) as http:
        page = await http.get("/ui/signin")
        tried = await http.post("/ui/signin", data={"user_id": "btc.nguyenvanhai"})
    assert page.status_code == 200 and "Đăng nhập bằng người dùng thử nghiệm đã tắt" in page.text
    assert tried.status_code == 403 and "cadre_token" not in tried.headers.get("set-cookie", "")
