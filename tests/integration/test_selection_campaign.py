"""A small campaign on the real Temporal server, Kafka and PostgreSQL: registration, selection and the workflows
worker run as real `cadre serve` processes; officials are created through registration's API and read back by
selection over HTTP at the screening snapshot. The portal's activities are played by a stand-in worker hosted
in this test (same activity names), so the test can act as every approver through the `complete_task` Update.
The stack runs in its own Temporal namespace so no other test's workers can take its tasks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer
from temporalio.api.enums.v1 import PendingActivityState, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.worker import Worker

from shared.auth import issue_token
from shared.config import Settings
from tests.support import infra
from tests.support.stack import ROOT, Stack
from tests.unit.selection.support import Portal, campaign_payload

pytestmark = pytest.mark.integration
SECRET = "integration-test-secret-0123456789"


def _namespace(action: str, name: str) -> None:
    args = [str(ROOT / ".venv/bin/temporal"), "operator", "namespace", action, "--namespace", name,
            "--address", infra.temporal_address()]
    subprocess.run(args + (["--yes"] if action == "delete" else []), check=action == "create",
                   capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def sel_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Registration, selection and the workflows worker on fresh databases, in a fresh Temporal namespace."""
    namespace = f"cadre-sel-{uuid.uuid4().hex[:8]}"
    _namespace("create", namespace)
    s = Stack.distributed(database_url=infra.new_database_template(), kafka=infra.kafka_bootstrap(),
                          temporal=infra.temporal_address(), log_dir=Path(tmp_path_factory.mktemp("selstack")),
                          extra_env={"CADRE_TEMPORAL_NAMESPACE": namespace, "CADRE_JWT_SECRET": SECRET})
    migrated = s.cadre("migrate")
    assert migrated.returncode == 0, migrated.stderr
    for name in ("registration", "selection", "workflows"):
        s.start(name)
    try:
        s.wait_ready("registration", "selection", "workflows", timeout=90)
        yield s
    finally:
        s.stop()
        _namespace("delete", namespace)


def _auth(user: str, roles: list[str], units: list[str] | None = None) -> dict[str, str]:
    settings = Settings(profile="distributed", jwt_secret=SECRET)  # type: ignore[arg-type]
    return {"authorization": "Bearer " + issue_token(settings, user_id=user, roles=roles, units=units or ["*"])}


BOARD = _auth("btc.nguyenvanhai", ["organization_board"])


async def _officials(http: httpx.AsyncClient, reg: str) -> dict[str, dict[str, Any]]:
    for code, name in (("DONGXOAI", "Thành phố Đồng Xoài"), ("BINHLONG", "Thị xã Bình Long")):
        resp = await http.post(f"{reg}/units", headers=BOARD, json={"code": code, "name": name, "kind": "district"})
        assert resp.status_code in (201, 409), resp.text
    people = {"an": ("Nguyễn Văn An", "DONGXOAI", 1985, "male"), "binh": ("Trần Thị Bình", "DONGXOAI", 1986, "female"),
              "giang": ("Đỗ Văn Giang", "BINHLONG", 1966, "male")}
    out = {}
    for i, (key, (name, unit, born, gender)) in enumerate(people.items()):
        resp = await http.post(f"{reg}/officials", headers=BOARD, json={
            "personal_id": f"0{74 + i}{'0' if gender == 'male' else '1'}{born % 100:02d}{uuid.uuid4().int % 10**6:06d}",
            "full_name": name, "gender": gender, "birth": {"year": born, "month": 3, "day": 12}, "unit_code": unit,
            "category": "civil_servant", "education": "master", "political_theory": "intermediate",
            "service_start": "2010-09-01", "ratings": {"2021": "HTTNV", "2022": "HTXSNV"},
            "planning": [{"position": "Phó Bí thư", "term": "2025-2030"}]})
        assert resp.status_code == 201, resp.text
        out[key] = resp.json()
    return out


@pytest.fixture
async def portal(sel_stack: Stack) -> AsyncIterator[Portal]:
    client = await Client.connect(infra.temporal_address(), namespace=sel_stack.env["CADRE_TEMPORAL_NAMESPACE"])
    stand_in = Portal(client)
    async with Worker(client, task_queue="portal",
                      activities=[stand_in.create_task, stand_in.create_tasks, stand_in.task_overdue,
                                  stand_in.close_task]):
        yield stand_in


async def test_a_campaign_runs_on_the_real_infrastructure(sel_stack: Stack, portal: Portal) -> None:
    try:
        await _campaign(sel_stack, portal)
    except AssertionError as exc:
        logs = " | ".join(f"{n}: {sel_stack.tail(n, 25)}" for n in ("selection", "workflows"))
        raise AssertionError(f"{exc}\n{await _temporal_says(portal.client)}\n{logs}") from exc


async def _temporal_says(client: Client) -> str:
    """What the server holds for the campaign and its children: each one's status, pending activities (attempts,
    last failure) and history length, and the portal queue's pollers, so a stalled run says where it stopped."""
    lines = []
    async for wf in client.list_workflows():
        d = (await client.get_workflow_handle(wf.id, run_id=wf.run_id).describe()).raw_description
        pending = [f"{a.activity_type.name} attempt {a.attempt} {PendingActivityState.Name(a.state)} "
                   f"{a.last_failure.message if a.HasField('last_failure') else ''}".strip()
                   for a in d.pending_activities]
        lines.append(f"{wf.id} {wf.status.name if wf.status else '?'} "
                     f"events {d.workflow_execution_info.history_length} "
                     f"pending {pending} children {len(d.pending_children)} "
                     f"workflow task attempt {d.pending_workflow_task.attempt or '-'}")
    queue = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name="portal"),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY))
    lines.append(f"portal pollers {[p.identity for p in queue.pollers]}")
    return "\n".join(lines)


async def _campaign(sel_stack: Stack, portal: Portal) -> None:
    sel, reg = sel_stack.url("selection"), sel_stack.url("registration")
    async with httpx.AsyncClient(timeout=20) as http:
        officials = await _officials(http, reg)
        now = datetime.now(UTC)
        number = f"{uuid.uuid4().hex[:4].upper()}-KH/TU"
        body = campaign_payload(number, now, seats=(1, 1), conferences=[
            {"code": "HN-TINH", "roster": [f"voter-{i}" for i in range(3)], "max_names": 3,
             "close_at": (now + timedelta(hours=1)).isoformat()}])
        created = await http.post(f"{sel}/campaigns", headers=BOARD, json=body)
        assert created.status_code == 201, created.text
        again = await http.post(f"{sel}/campaigns", headers=_auth("svc.hrm", ["service"]), json=body)
        assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
        cid = created.json()["id"]
        ids = {}
        for key, group in (("an", "G1"), ("binh", "G2"), ("giang", "G2")):
            o = officials[key]
            resp = await http.post(f"{sel}/campaigns/{cid}/nominations", headers=BOARD, json={
                "official_id": o["id"], "full_name": o["full_name"], "unit_code": o["unit_code"],
                "group_code": group, "evaluation": "Hoàn thành xuất sắc nhiệm vụ"})
            assert resp.status_code == 201, resp.text
            ids[key] = resp.json()["id"]
        tokens = (await http.post(f"{sel}/campaigns/{cid}/conferences/HN-TINH/tokens", headers=BOARD)).json()["tokens"]
        for token in tokens:
            cast = await http.post(f"{sel}/ballots", json={"token": token, "nominees": list(ids.values())})
            assert cast.status_code == 202, cast.text
        # every voter has voted: the Board ends the ballot now (its close time is an hour away)
        close = f"{sel}/campaigns/{cid}/conferences/HN-TINH/close"
        assert (await http.post(close, headers=BOARD, json={"reason": "x"})).status_code == 422  # a reason in words
        ended = await http.post(close, headers=BOARD, json={"reason": "Đã bỏ phiếu đủ 3/3"})
        assert ended.status_code == 202, ended.text

        confirm = (await portal.wait_for("nomination_confirmation", 1, timeout=60))[0]
        again = await http.post(close, headers=BOARD, json={"reason": "Đã bỏ phiếu đủ 3/3"})
        assert again.status_code == 409 and again.json()["code"] == "conference_closed", again.text
        assert len(confirm.request.dossier["proposed"]) == 3
        await portal.complete(confirm, actor="btc.tranthithu", role="organization_board", action="confirm")
        screening = (await portal.wait_for("screening_confirmation", 1, timeout=60))[0]
        assert [n["candidate_id"] for n in screening.request.dossier["ineligible"]] == [ids["giang"]]
        cands = {c["id"]: c for c in (await http.get(f"{sel}/campaigns/{cid}/candidates", headers=BOARD)).json()}
        term = next(c for c in cands[ids["giang"]]["screening"]["criteria"]
                    if c["code"] == "months_before_retirement")
        assert "tháng trước tuổi nghỉ hưu, cần ít nhất 60" in term["explanation_vi"]
        # each criterion names the rule version it applied and the date it was evaluated on (the proposal date)
        assert term["rule_version"] == "planning-age/hd-06-hd-btctw-2021" and term["evaluated_on"]
        assert all(c["rule_version"] for c in cands[ids["an"]]["screening"]["criteria"])
        assert cands[ids["an"]]["screening"]["record_digest"]  # read from registration over HTTP
        await portal.complete(screening, actor="btc.nguyenvanhai", role="organization_board", action="confirm")

        for t in await portal.wait_for("essay_mark", 4, timeout=60):
            await portal.complete(t, actor=str(t.request.assignee), role="examiner", action="mark",
                                  inputs={"mark": 70})
        for t in await portal.wait_for("interview_score", 4, timeout=60):
            await portal.complete(t, actor=str(t.request.assignee), role="examiner", action="mark",
                                  inputs={"mark": 80})
        votes = await portal.wait_for("committee_vote", 10, timeout=60)
        for t in votes:
            [cand] = t.request.dossier["candidates"]
            await portal.complete(t, actor=str(t.request.assignee), role="committee_member", action="vote",
                                  inputs={cand["candidate_id"]: "approve"})
        for t in await portal.wait_for("committee_decision", 2, timeout=60):
            await portal.complete(t, actor="bt.chair", role="committee_chair", action="decide",
                                  inputs={"decision_number": f"{t.request.dossier['group']}-QĐ/TU"})

        deadline = time.monotonic() + 60
        while (await http.get(f"{sel}/campaigns/{cid}", headers=BOARD)).json()["step"] != "decided":
            assert time.monotonic() < deadline, "the campaign did not reach its decision"
            await asyncio.sleep(0.3)
        decision = (await http.get(f"{sel}/campaigns/{cid}/decision", headers=BOARD)).json()
        selected = {g["group"]: [s["official_id"] for s in g["selected"]] for g in decision["groups"]}
        assert selected == {"G1": [officials["an"]["id"]], "G2": [officials["binh"]["id"]]}

    dsn = sel_stack.env["CADRE_DATABASE_URL"].format(service="selection").replace("postgresql+asyncpg://",
                                                                                  "postgresql://")
    with psycopg.connect(dsn) as conn:
        cols = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'ballots' ORDER BY ordinal_position").fetchall()]
        assert cols == ["id", "conference_id", "names"]
        rows = conn.execute("SELECT body FROM audit_log WHERE action = 'committee.decide'").fetchall()
        assert len(rows) == 2 and all(json.loads(r[0])["run_id"] for r in rows)
    assert _selected_on_kafka(cid) == {"G1", "G2"}


def _selected_on_kafka(campaign_id: str, timeout: float = 30.0) -> set[str]:
    consumer = KafkaConsumer("cadre.selection.v1", bootstrap_servers=infra.kafka_bootstrap(),
                             group_id=f"test-{uuid.uuid4().hex}", auto_offset_reset="earliest",
                             enable_auto_commit=False)
    groups: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(groups) < 2:
            for records in consumer.poll(timeout_ms=1000).values():
                for r in records:
                    doc = json.loads(r.value)
                    if doc["type"] == "CandidatesSelected" and doc["data"]["campaign_id"] == campaign_id:
                        groups.add(doc["data"]["group"])
    finally:
        consumer.close()
    return groups
