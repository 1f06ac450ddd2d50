"""The foundation's vertical slice, hop by hop, on real PostgreSQL, Kafka and Temporal:
POST /units → row + outbox event in one transaction → Kafka cadre.registration.v1 → starter consumer →
Temporal workflow (id from the event) → scheduling's activity → scheduling's own database."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from functools import partial

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer
from temporalio.client import Client, WorkflowExecutionStatus

from shared.auth import issue_token
from shared.config import Settings
from shared.events.envelope import CloudEvent
from tests.support import infra
from tests.support.stack import Stack
from tests.support.waiting import wait_for
from workflows.starters import registration_starter, unit_sync_id

pytestmark = pytest.mark.integration


def _token(stack: Stack, roles: list[str]) -> str:
    settings = Settings(profile="distributed", jwt_secret=stack.env["CADRE_JWT_SECRET"])  # type: ignore[arg-type]
    return issue_token(settings, user_id="btc.test", roles=roles, units=["*"], name="Kiểm thử")


def _dsn(stack: Stack, service: str) -> str:
    return stack.env["CADRE_DATABASE_URL"].format(service=service).replace("postgresql+asyncpg://", "postgresql://")


_wait = partial(wait_for, timeout=30.0)


def _kafka_events(stack: Stack, subject: str, timeout: float = 30.0) -> list[dict]:  # type: ignore[type-arg]
    consumer = KafkaConsumer(stack.topic("registration"), bootstrap_servers=infra.kafka_bootstrap(),
                             group_id=f"test-{uuid.uuid4().hex}", auto_offset_reset="earliest",
                             enable_auto_commit=False)
    found: list[dict] = []  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not found:
            for records in consumer.poll(timeout_ms=1000).values():
                for r in records:
                    doc = json.loads(r.value)
                    if doc["subject"] == subject:
                        assert r.key.decode() == subject, "the key is the aggregate id"
                        found.append(doc)
    finally:
        consumer.close()
    return found


def test_unit_travels_through_every_component(stack: Stack) -> None:
    code = f"U{uuid.uuid4().hex[:8].upper()}"
    token = _token(stack, ["organization_board"])
    resp = httpx.post(f"{stack.url('registration')}/units", headers={"Authorization": f"Bearer {token}"},
                      json={"code": code, "name": "Xã Tân Thành", "kind": "commune"}, timeout=10)
    assert resp.status_code == 201, resp.text
    unit_id = resp.json()["id"]

    # hop 1: the row and its outbox event committed together; the relay marks it sent
    with psycopg.connect(_dsn(stack, "registration")) as conn:
        assert conn.execute("SELECT count(*) FROM units WHERE code=%s", (code,)).fetchone() == (1,)
        event_id, = _wait(lambda: conn.execute(
            "SELECT event_id FROM outbox WHERE key=%s AND event_type='UnitCreated' AND sent_at IS NOT NULL",
            (unit_id,)).fetchone(), what="outbox row sent")
        audit = conn.execute("SELECT action FROM audit_log WHERE subject=%s", (f"unit:{code}",)).fetchall()
        assert audit == [("unit.create",)]

    # hop 2: the event is on Kafka, keyed by the aggregate id, as a CloudEvent
    events = [e for e in _kafka_events(stack, unit_id) if e["type"] == "UnitCreated"]
    assert [e["id"] for e in events] == [event_id]
    assert events[0]["data"]["code"] == code and events[0]["source"] == "/cadreflow/registration"

    # hop 3: the consumer started the workflow whose id derives from the event, and it completed
    async def workflow_status() -> WorkflowExecutionStatus | None:
        client = await stack.temporal_client()
        desc = await client.get_workflow_handle(unit_sync_id(event_id)).describe()
        return desc.status

    assert _wait(lambda: asyncio.run(_status_or_none(workflow_status)) == WorkflowExecutionStatus.COMPLETED,
                 what="UnitSync completed")

    # hop 4: scheduling's activity recorded the unit in scheduling's own database
    with psycopg.connect(_dsn(stack, "scheduling")) as conn:
        rows = conn.execute("SELECT code, name, source_event_id FROM known_units WHERE code=%s", (code,)).fetchall()
    assert rows == [(code, "Xã Tân Thành", event_id)]
    listed = httpx.get(f"{stack.url('scheduling')}/units", headers={"Authorization": f"Bearer {token}"}).json()
    assert code in [u["code"] for u in listed]


async def _status_or_none(fn):  # type: ignore[no-untyped-def]
    try:
        return await fn()
    except Exception:
        return None


def test_redelivered_event_starts_nothing_new(stack: Stack) -> None:
    code = f"R{uuid.uuid4().hex[:8].upper()}"
    token = _token(stack, ["organization_board"])
    resp = httpx.post(f"{stack.url('registration')}/units", headers={"Authorization": f"Bearer {token}"},
                      json={"code": code, "name": "Phường Tân Phú", "kind": "commune"}, timeout=10)
    assert resp.status_code == 201
    unit_id = resp.json()["id"]
    event = CloudEvent.from_json(json.dumps(_wait(lambda: [e for e in _kafka_events(stack, unit_id)
                                                           if e["type"] == "UnitCreated"], what="event")[0]))

    async def redeliver() -> tuple[str, str]:
        client = await stack.temporal_client()
        handle = client.get_workflow_handle(unit_sync_id(event.id))
        await handle.result()
        first = (await handle.describe()).run_id

        async def client_of() -> Client:
            return client

        await registration_starter(client_of)(event)  # the same event, delivered again
        return first, (await handle.describe()).run_id

    first_run, run_after = asyncio.run(redeliver())
    assert first_run == run_after
    with psycopg.connect(_dsn(stack, "scheduling")) as conn:
        assert conn.execute("SELECT count(*) FROM known_units WHERE code=%s", (code,)).fetchone() == (1,)


def test_bad_input_leaves_no_row_and_no_event(stack: Stack) -> None:
    token = _token(stack, ["organization_board"])
    url = f"{stack.url('registration')}/units"
    headers = {"Authorization": f"Bearer {token}"}
    with psycopg.connect(_dsn(stack, "registration")) as conn:
        before = conn.execute("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM outbox)").fetchone()
    missing = httpx.post(url, headers=headers, json={"code": "ABC"})
    wrong = httpx.post(url, headers=headers, json={"code": 12, "name": ["x"], "kind": "planet"})
    assert missing.status_code == wrong.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in missing.json()["errors"]} == {"name", "kind"}
    assert {e["field"] for e in wrong.json()["errors"]} == {"code", "name", "kind"}
    assert all(e["message_vi"] and e["message_en"] for e in wrong.json()["errors"])
    ok = httpx.post(url, headers=headers, json={"code": "DUPX", "name": "Sở Nội vụ", "kind": "department"})
    assert ok.status_code == 201
    dup = httpx.post(url, headers=headers, json={"code": "DUPX", "name": "Sở khác", "kind": "department"})
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "code"
    assert dup.json()["detail_vi"].startswith("Đã có đơn vị")
    with psycopg.connect(_dsn(stack, "registration")) as conn:
        after = conn.execute("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM outbox)").fetchone()
    # exactly one unit more, with its two events (UnitCreated, AuditRecorded); the refused requests left nothing
    assert after == (before[0] + 1, before[1] + 2)
