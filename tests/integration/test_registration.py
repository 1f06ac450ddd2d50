"""Registration on real PostgreSQL, Kafka and Temporal, with the real scheduling service:
officials and dossier reads, submission checks against scheduling's catalogue, the review workflow started by
RegistrationFlagged, and training records from ClassCompleted (an idempotent consumer)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
from kafka import KafkaProducer
from temporalio.client import WorkflowExecutionStatus

from shared.auth import issue_token
from shared.config import Settings
from shared.events.envelope import CloudEvent
from tests.support import infra
from tests.support.stack import Stack
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration
YEAR = date.today().year


def _h(stack: Stack, roles: list[str], units: list[str] | None = None) -> dict[str, str]:
    settings = Settings(profile="distributed", jwt_secret=stack.env["CADRE_JWT_SECRET"])  # type: ignore[arg-type]
    token = issue_token(settings, user_id=f"{roles[0]}.it", roles=roles, units=units or ["*"], name="Kiểm thử")
    return {"Authorization": f"Bearer {token}"}


def _dsn(stack: Stack) -> str:
    return stack.env["CADRE_DATABASE_URL"].format(service="registration").replace("postgresql+asyncpg://",
                                                                                  "postgresql://")


_wait = partial(wait_for, timeout=40.0)


def _post(stack: Stack, service: str, path: str, body: dict[str, Any], roles: list[str],
          units: list[str] | None = None) -> httpx.Response:
    return httpx.post(f"{stack.url(service)}{path}", json=body, headers=_h(stack, roles, units), timeout=20)


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, str]:
    """A unit, two officials, a programme with a plan and a class in scheduling."""
    tag = uuid.uuid4().hex[:6].upper()
    unit = f"DX{tag}"
    board = ["organization_board"]
    assert _post(stack, "registration", "/units", {"code": unit, "name": "Phường Đồng Xoài", "kind": "commune"},
                 board).status_code == 201
    people = {}
    for pid, name, party in (("001075012345", "Nguyễn Văn An", "2005-05-19"), ("079180000123", "Lê Thị Bình", None)):
        pid = pid[:6] + f"{int(tag, 16) % 1000000:06d}"
        body = {"personal_id": pid, "full_name": name, "gender": "male" if pid[3] == "0" else "female",
                "birth": {"year": 1900 + int(pid[4:6]) + (100 if pid[3] in "23" else 0)}, "unit_code": unit,
                "category": "civil_servant", "education": "bachelor", "political_theory": "intermediate",
                "party_join_date": party, "position_level": "provincial_section_head",  # QĐ 350: advanced
                "ratings": {str(YEAR - 2): "HTTNV", str(YEAR - 1): "HTXSNV"}}
        r = _post(stack, "registration", "/officials", body, board)
        assert r.status_code == 201, r.text
        people[name] = r.json()["id"]
    prog = f"CC{tag}"
    r = _post(stack, "scheduling", "/programmes", {
        "code": prog, "name": "Cao cấp lý luận chính trị", "category": "political_theory.advanced",
        "mode": "part_time", "hours": 1760, "provider": "Học viện Chính trị khu vực II",
        "effective_from": f"{YEAR}-01-01"}, board)
    assert r.status_code == 201, r.text
    r = _post(stack, "scheduling", "/plans", {"number": f"{tag}-KH/TU", "year": YEAR, "items": [
        {"programme_code": prog, "quota": 66, "allocations": {unit: 5}}]}, board)
    assert r.status_code == 201, r.text
    start = date.today() + timedelta(days=60)
    r = _post(stack, "scheduling", "/classes", {
        "code": f"L{tag}", "programme_code": prog, "institution": "Trường Chính trị tỉnh",
        "start_date": start.isoformat(), "end_date": (start + timedelta(days=90)).isoformat(), "capacity": 60,
        "target": 40, "enrolment_deadline": (date.today() + timedelta(days=30)).isoformat()}, board)
    assert r.status_code == 201, r.text
    return {"unit": unit, "programme": prog, "class_id": r.json()["id"], "an": people["Nguyễn Văn An"],
            "binh": people["Lê Thị Bình"]}


def test_submission_checks_against_scheduling_and_review_starts(stack: Stack, world: dict[str, str]) -> None:
    officer = (["unit_officer"], [world["unit"]])
    body = {"official_id": world["an"], "programme_code": world["programme"], "plan_year": YEAR,
            "class_id": world["class_id"]}
    accepted = _post(stack, "registration", "/registrations", body, *officer)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["outcome"] == "accepted" and accepted.json()["class_start"]
    again = _post(stack, "registration", "/registrations", body, *officer)
    assert again.status_code == 409 and again.json()["registration_id"] == accepted.json()["id"]
    other = _post(stack, "registration", "/registrations", body, ["unit_officer"], ["ELSEWHERE"])
    assert other.status_code == 403
    unknown = _post(stack, "registration", "/registrations", {**body, "programme_code": "NOPE"}, *officer)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "programme_code"

    flagged = _post(stack, "registration", "/registrations",
                    {"official_id": world["binh"], "programme_code": world["programme"], "plan_year": YEAR}, *officer)
    assert flagged.status_code == 201, flagged.text
    reg = flagged.json()
    assert reg["outcome"] == "flagged" and reg["findings"][0]["code"] == "political_theory_criteria"
    assert reg["findings"][0]["rule_version"].startswith("political-theory/") and "đảng viên" in (
        reg["findings"][0]["message_vi"])
    with psycopg.connect(_dsn(stack)) as conn:
        _wait(lambda: conn.execute("SELECT 1 FROM outbox WHERE key=%s AND event_type='RegistrationApproved' "
                                   "AND sent_at IS NOT NULL", (accepted.json()["id"],)).fetchone(),
              what="RegistrationApproved published")
        actions = {r[0] for r in conn.execute("SELECT action FROM audit_log WHERE subject IN (%s, %s)",
                                              (f"registration:{accepted.json()['id']}",
                                               f"registration:{reg['id']}")).fetchall()}
    assert actions == {"registration.accept", "registration.flag"}

    async def status() -> WorkflowExecutionStatus | None:
        client = await stack.temporal_client()
        try:
            return (await client.get_workflow_handle(reg["review_workflow_id"]).describe()).status
        except Exception:
            return None

    assert _wait(lambda: asyncio.run(status()) == WorkflowExecutionStatus.RUNNING, timeout=120,
                 what="RegistrationReview started")


def test_concurrent_submissions_create_one_registration(stack: Stack, world: dict[str, str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = {"official_id": world["an"], "programme_code": world["programme"], "plan_year": YEAR + 1}
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: _post(stack, "registration", "/registrations", body, ["unit_officer"],
                                                [world["unit"]]), range(10)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409}, [a.text for a in answers]
    with psycopg.connect(_dsn(stack)) as conn:
        assert conn.execute("SELECT count(*) FROM registrations WHERE official_id=%s AND plan_year=%s",
                            (world["an"], YEAR + 1)).fetchone() == (1,)


def test_dossier_reads_are_recorded_and_visible_to_the_auditor(stack: Stack, world: dict[str, str]) -> None:
    url = f"{stack.url('registration')}/officials/{world['an']}"
    dossier = httpx.get(url, headers=_h(stack, ["service"]), timeout=10).json()
    assert dossier["retirement_date"] and dossier["age"] > 40 and dossier["personal_id"] is None
    reads = httpx.get(f"{url}/reads", headers=_h(stack, ["auditor"]), timeout=10)
    assert reads.status_code == 200 and reads.json()[0]["reader_id"] == "service.it"
    found = httpx.get(f"{stack.url('registration')}/officials", params={"q": "nguyen van an", "unit": world["unit"]},
                      headers=_h(stack, ["organization_board"]), timeout=10).json()
    assert [o["full_name"] for o in found] == ["Nguyễn Văn An"]


def test_class_completed_becomes_training_records_once(stack: Stack, world: dict[str, str]) -> None:
    event = CloudEvent(type="ClassCompleted", source="/cadreflow/scheduling", subject=world["class_id"], data={
        "class_id": f"done-{uuid.uuid4().hex[:8]}", "class_code": "QLNN-IT", "programme_code": "QLNN",
        "programme_category": "state_management.specialist", "year": YEAR, "start_date": f"{YEAR}-01-05",
        "end_date": f"{YEAR}-02-05", "participants": [
            {"official_id": world["an"], "unit_code": world["unit"], "hours": 120, "result": "passed"}]})
    producer = KafkaProducer(bootstrap_servers=infra.kafka_bootstrap())
    for _ in range(2):  # delivered twice
        producer.send(stack.topic("scheduling"), key=event.subject.encode(), value=event.to_json().encode())
    producer.flush()
    producer.close()
    with psycopg.connect(_dsn(stack)) as conn:
        _wait(lambda: conn.execute("SELECT count(*) FROM training_records WHERE class_id=%s",
                                   (event.data["class_id"],)).fetchone() == (1,), timeout=120, what="training record")
        time.sleep(1.0)
        assert conn.execute("SELECT count(*) FROM training_records WHERE class_id=%s",
                            (event.data["class_id"],)).fetchone() == (1,)
    report = httpx.get(f"{stack.url('registration')}/compliance", params={"year": YEAR, "unit": world["unit"]},
                       headers=_h(stack, ["organization_board"]), timeout=10).json()
    assert report["units"][0]["trained"] == 1 and report["units"][0]["officials"] == 2
    assert [o["full_name"] for o in report["not_trained"]] == ["Lê Thị Bình"]
    conflicts = httpx.get(f"{stack.url('registration')}/conflicts", params={"year": YEAR},
                          headers=_h(stack, ["organization_board"]), timeout=10)
    assert conflicts.status_code == 200 and json.loads(conflicts.text)["year"] == YEAR


def test_cli_import_upserts_and_reports_bad_rows(stack: Stack, world: dict[str, str], tmp_path: Any) -> None:
    tag = uuid.uuid4().int % 1000000
    path = tmp_path / "officials.csv"
    path.write_text("personal_id,full_name,gender,birth_date,category\n"
                    f"001076{tag:06d},Phạm Văn Cường,Nam,05/1976,civil_servant\n"
                    f"001077{tag:06d},Võ Thị Dung,Nữ,1977,cadre\n"
                    f"0010770{tag:06d},Hồ Văn Em,Nam,1977,cadre\n", encoding="utf-8")
    token = _h(stack, ["organization_board"])["Authorization"].removeprefix("Bearer ")
    first = stack.cadre("import", "officials", str(path), "--unit", world["unit"], "--token", token)
    assert first.returncode == 1, first.stderr  # one bad row
    assert "created: 1" in first.stdout and "rejected: 2" in first.stdout, first.stdout
    assert "personal_id" in first.stdout
    again = stack.cadre("import", "officials", str(path), "--unit", world["unit"], "--token", token)
    assert "unchanged: 1" in again.stdout and "created: 0" in again.stdout, again.stdout
