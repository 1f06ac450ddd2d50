"""Scheduling on real PostgreSQL, Kafka and Temporal: programmes, plans, classes, enrolment from registration's
and selection's events, the lifecycle workflow to ClassCompleted on Kafka, and bad input that writes nothing."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer
from temporalio.client import WorkflowExecutionStatus

from shared.auth import issue_token
from shared.config import Settings
from shared.events.envelope import CloudEvent
from tests.support import infra
from tests.support.stack import Stack
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration


def _headers(stack: Stack, roles: list[str], user: str = "btc.test") -> dict[str, str]:
    settings = Settings(profile="distributed", jwt_secret=stack.env["CADRE_JWT_SECRET"])  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {issue_token(settings, user_id=user, roles=roles, units=['*'], name='Kiểm thử')}"}


def _dsn(stack: Stack) -> str:
    return stack.env["CADRE_DATABASE_URL"].format(service="scheduling").replace("postgresql+asyncpg://",
                                                                                "postgresql://")


_wait = partial(wait_for, timeout=120.0)


def _counts(stack: Stack) -> tuple[int, ...]:
    with psycopg.connect(_dsn(stack)) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM classes), (SELECT count(*) FROM plans), "
                           "(SELECT count(*) FROM enrolments), (SELECT count(*) FROM attendance), "
                           "(SELECT count(*) FROM outbox), (SELECT count(*) FROM audit_log)").fetchone()
    assert row is not None
    return tuple(int(x) for x in row)


def _publish(topic: str, event: CloudEvent) -> None:
    producer = KafkaProducer(bootstrap_servers=infra.kafka_bootstrap(), acks="all")
    try:
        producer.send(topic, key=event.subject.encode(), value=event.to_json().encode()).get(timeout=30)
    finally:
        producer.close()


def _kafka_event(topic: str, subject: str, etype: str, timeout: float = 120.0) -> dict[str, Any]:
    consumer = KafkaConsumer(topic, bootstrap_servers=infra.kafka_bootstrap(), group_id=f"test-{uuid.uuid4().hex}",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                for r in records:
                    doc = json.loads(r.value)
                    if doc["subject"] == subject and doc["type"] == etype:
                        return dict(doc)
    finally:
        consumer.close()
    raise AssertionError(f"no {etype} for {subject} on {topic}")


def _lifecycle(stack: Stack, workflow_id: str, terminate: bool = False) -> WorkflowExecutionStatus | None:
    async def go() -> WorkflowExecutionStatus | None:
        handle = (await stack.temporal_client()).get_workflow_handle(workflow_id)
        if terminate:
            await handle.terminate("integration test finished")
        return (await handle.describe()).status

    return asyncio.run(go())


def _class_body(code: str, programme: str, start: date, end: date, **over: Any) -> dict[str, Any]:
    return {"code": code, "programme_code": programme, "institution": "Trường Chính trị tỉnh Đồng Nai",
            "venue": "Hội trường B", "start_date": start.isoformat(), "end_date": end.isoformat(), "capacity": 2,
            "target": 1, "enrolment_deadline": start.isoformat(),
            "sessions": [{"day": start.isoformat(), "hours": 4, "topic": "Khai giảng và chuyên đề 1"}], **over}


def test_class_from_enrolment_events_to_class_completed(stack: Stack) -> None:
    url, board = stack.url("scheduling"), _headers(stack, ["organization_board"])
    staff = _headers(stack, ["institution_staff"], "truong.ct")
    tag = uuid.uuid4().hex[:6].upper()
    prog = f"LLCT-TC-{tag}"
    today = datetime.now(UTC).date()
    resp = httpx.post(f"{url}/programmes", headers=board, json={
        "code": prog, "name": "Trung cấp lý luận chính trị - hành chính", "category": "political_theory.intermediate",
        "mode": "part_time", "hours": 880, "provider": "Trường Chính trị tỉnh", "effective_from": "2020-01-01",
        "target_criteria": {"min_degree": "college", "party_member": True}})
    assert resp.status_code == 201, resp.text
    service = _headers(stack, ["service"], "svc.registration")
    got = httpx.get(f"{url}/programmes/{prog}", headers=service).json()
    assert got["category"] == "political_theory.intermediate" and got["target_criteria"]["party_member"] is True

    plan = httpx.post(f"{url}/plans", headers=board, json={
        "number": f"159-KH/TU-{tag}", "year": today.year,
        "items": [{"programme_code": prog, "quota": 3, "allocations": {"DONGXOAI": 2, "BINHLONG": 1}}]})
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    assert [p["id"] for p in httpx.get(f"{url}/plans", headers=service, params={"year": today.year}).json()
            if p["id"] == plan_id] == [plan_id]

    created = httpx.post(f"{url}/classes", headers=board, json=_class_body(f"TC-{tag}-1", prog, today, today))
    assert created.status_code == 201, created.text
    cls = created.json()
    assert cls["status"] == "planned" and "lifecycle_started" not in cls  # started from ClassScheduled
    other = httpx.post(f"{url}/classes", headers=board, json=_class_body(
        f"TC-{tag}-2", prog, today, today + timedelta(days=30), capacity=5))
    assert other.status_code == 201, other.text
    for class_id in (cls["id"], other.json()["id"]):  # each lifecycle opened enrolment (planned → enrolling)
        _wait(lambda c=class_id: httpx.get(f"{url}/classes/{c}", headers=service).json()["status"] == "enrolling",
              what="enrolment open")

    # RegistrationApproved on Kafka (published twice: the consumer is idempotent) → an enrolment
    official = f"off-{uuid.uuid4()}"
    approved = CloudEvent(type="RegistrationApproved", source="/cadreflow/registration", subject=f"reg-{tag}", data={
        "registration_id": f"reg-{tag}", "official_id": official, "official_name": "Trần Thị Bích",
        "unit_code": "DONGXOAI", "programme_code": prog, "plan_year": today.year, "class_id": cls["id"]})
    _publish(stack.topic("registration"), approved)
    _publish(stack.topic("registration"), approved)
    roster = _wait(lambda: httpx.get(f"{url}/classes/{cls['id']}/roster", headers=service).json(),
                   what="enrolment from RegistrationApproved")
    assert [(r["official_id"], r["status"], r["source"]) for r in roster] == [(official, "enrolled", "registration")]

    # Board enrolment: capacity, waitlist, twice refused, overlapping class refused with its name
    second = httpx.post(f"{url}/classes/{cls['id']}/enrolments", headers=board,
                        json={"official_id": f"off-{uuid.uuid4()}", "official_name": "Lê Văn Cường",
                              "unit_code": "BINHLONG"})
    third = httpx.post(f"{url}/classes/{cls['id']}/enrolments", headers=board,
                       json={"official_id": f"off-{uuid.uuid4()}", "official_name": "Phạm Minh Đức",
                             "unit_code": "DONGXOAI"})
    assert (second.json()["status"], third.json()["status"]) == ("enrolled", "waitlisted")
    twice = httpx.post(f"{url}/classes/{cls['id']}/enrolments", headers=board,
                       json={"official_id": official, "official_name": "Trần Thị Bích", "unit_code": "DONGXOAI"})
    assert twice.status_code == 409 and twice.json()["errors"][0]["field"] == "official_id"
    before = _counts(stack)
    clash = httpx.post(f"{url}/classes/{other.json()['id']}/enrolments", headers=board,
                       json={"official_id": official, "official_name": "Trần Thị Bích", "unit_code": "DONGXOAI"})
    assert clash.status_code == 409 and clash.json()["other_class"]["code"] == f"TC-{tag}-1"
    assert f"TC-{tag}-1" in clash.json()["detail_vi"]
    assert _counts(stack) == before
    withdrawn = httpx.post(f"{url}/enrolments/{second.json()['id']}/withdraw", headers=board,
                           json={"reason": "Bận công tác"})
    assert withdrawn.json()["status"] == "withdrawn"
    waitlist = httpx.get(f"{url}/classes/{cls['id']}/waitlist", headers=service).json()
    assert [(w["id"], w["status"]) for w in waitlist] == [(third.json()["id"], "offered")]
    assert waitlist[0]["offer_expires_at"]
    mine = httpx.get(f"{url}/officials/{official}/classes", headers=service).json()
    assert [(m["class"]["code"], m["status"]) for m in mine] == [(f"TC-{tag}-1", "enrolled")]

    # CandidatesSelected on Kafka → the source-cadre class's roster
    selected = CloudEvent(type="CandidatesSelected", source="/cadreflow/selection", subject=f"camp-{tag}", data={
        "campaign_id": f"camp-{tag}", "campaign_number": "01-TB/TU", "group": "group_1", "decision_number": "15-QĐ/TU",
        "class_id": other.json()["id"], "candidates": [{"official_id": f"cand-{tag}-1", "unit_code": "DONGXOAI"},
                                                       {"official_id": f"cand-{tag}-2", "unit_code": "BINHLONG"}]})
    _publish(stack.topic("selection"), selected)
    _wait(lambda: len(httpx.get(f"{url}/classes/{other.json()['id']}/roster", headers=service).json()) == 2,
          what="source cadres enrolled")

    # the Board closes enrolment early; 1 enrolled ≥ target 1 → the class starts (start date today)
    closed = httpx.post(f"{url}/classes/{cls['id']}/close-enrolment", headers=board, json={"reason": "Đủ học viên"})
    assert closed.status_code == 202 and closed.json()["signalled"] is True
    _wait(lambda: httpx.get(f"{url}/classes/{cls['id']}", headers=service).json()["status"] == "running",
          what="class running")
    timetable = httpx.get(f"{url}/classes/{cls['id']}/timetable", headers=service).json()
    session_id = timetable["sessions"][0]["id"]

    before = _counts(stack)
    ghost = httpx.post(f"{url}/classes/{cls['id']}/attendance", headers=staff,
                       json={"session_id": str(uuid.uuid4()), "present": [official]})
    assert ghost.status_code == 422 and ghost.json()["errors"][0]["field"] == "session_id"
    assert ghost.json()["errors"][0]["message_vi"]
    assert _counts(stack) == before
    assert httpx.post(f"{url}/classes/{cls['id']}/attendance", headers=staff,
                      json={"session_id": session_id, "present": [official]}).status_code == 201
    marked = httpx.post(f"{url}/classes/{cls['id']}/results", headers=staff, json={"results": [
        {"official_id": official, "marks": {"essay": 8, "final_exam": 7.5}}]})
    assert marked.status_code == 201, marked.text
    assert marked.json()["missing"] == 0

    completed = _kafka_event(stack.topic("scheduling"), cls["id"], "ClassCompleted")
    data = completed["data"]
    assert data["programme_category"] == "political_theory.intermediate" and data["year"] == today.year
    [p] = data["participants"]
    assert (p["official_id"], p["unit_code"], p["hours"], p["result"]) == (official, "DONGXOAI", 4, "passed")
    assert p["score"] == 8.15 and p["certificate_no"].startswith(f"CN-{today.year}-")
    assert completed["workflowid"] == f"class-lifecycle-{cls['id']}"

    progress = httpx.get(f"{url}/plans/{plan_id}/progress", headers=board).json()
    [item] = progress["items"]
    assert (item["planned"], item["actual"]) == (3, 3)  # completed 1 + 2 source cadres enrolled in the year
    assert item["units"]["DONGXOAI"] == {"planned": 2, "actual": 2, "remaining": 0, "ratio": 1.0}
    with psycopg.connect(_dsn(stack)) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE subject=%s ORDER BY seq",
                                              (f"class:{cls['id']}",)).fetchall()]
    for action in ("class.schedule", "class.enrolment_open", "class.enrolment_close_early", "class.enrolment_close",
                   "class.start", "class.attendance", "class.results", "class.complete"):
        assert action in actions, action
    _wait(lambda: _lifecycle(stack, f"class-lifecycle-{cls['id']}") == WorkflowExecutionStatus.COMPLETED,
          what="lifecycle completed")
    # the other class would wait for its deadline: end its workflow so no later stack meets it
    other_id = f"class-lifecycle-{other.json()['id']}"
    assert _lifecycle(stack, other_id, terminate=True) == WorkflowExecutionStatus.TERMINATED


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(stack: Stack) -> None:
    url, board = stack.url("scheduling"), _headers(stack, ["organization_board"])
    tag = uuid.uuid4().hex[:6].upper()
    prog = f"QPAN-{tag}"
    assert httpx.post(f"{url}/programmes", headers=board, json={
        "code": prog, "name": "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3",
        "category": "defence_security.group_3", "mode": "full_time", "hours": 96,
        "provider": "Bộ Chỉ huy quân sự tỉnh", "effective_from": "2020-01-01"}).status_code == 201
    before = _counts(stack)
    # a group-1 programme must have the 176 periods of Decree 13/2014 (as amended by 139/2020), not 40
    wrong = httpx.post(f"{url}/programmes", headers=board, json={
        "code": f"QPAN1-{tag}", "name": "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 1",
        "category": "defence_security.group_1", "mode": "full_time", "hours": 40,
        "provider": "Học viện Quốc phòng", "effective_from": "2020-01-01"})
    assert wrong.status_code == 422, wrong.text
    [error] = wrong.json()["errors"]
    assert error["field"] == "hours" and "176" in error["message_vi"] and "Nghị định 13/2014" in error["message_vi"]
    start = date(2027, 3, 1)
    cases = {
        "end_date": _class_body(f"B-{tag}-1", prog, start, start - timedelta(days=1)),
        "capacity": _class_body(f"B-{tag}-2", prog, start, start, capacity=-1),
        "target": _class_body(f"B-{tag}-3", prog, start, start, capacity=2, target=3),
    }
    for field_name, body in cases.items():
        resp = httpx.post(f"{url}/classes", headers=board, json=body)
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"] == "application/problem+json"
        errors = resp.json()["errors"]
        assert field_name in {e["field"] for e in errors}, errors
        assert all(e["message_vi"] and e["message_en"] for e in errors)
    over = httpx.post(f"{url}/plans", headers=board, json={
        "number": f"160-KH/TU-{tag}", "year": 2027,
        "items": [{"programme_code": prog, "quota": 10, "allocations": {"A": 4}},
                  {"programme_code": prog, "quota": 5, "allocations": {"A": 4, "B": 2}, "priority_fields": []}]})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "items.1.allocations"
    assert "vượt chỉ tiêu" in over.json()["errors"][0]["message_vi"]
    assert _counts(stack) == before
    unknown = httpx.get(f"{url}/classes/{uuid.uuid4()}", headers=board)
    assert unknown.status_code == 404 and unknown.json()["title_vi"]
    forbidden = httpx.post(f"{url}/plans", headers=_headers(stack, ["institution_staff"]), json={})
    assert forbidden.status_code == 403
