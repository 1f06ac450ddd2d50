"""Training-need registration: checks at submission, outcomes, scope, duplicates, conflicts and compliance."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from services.registration.adapters.catalogue import ClassInfo, PlanItem, Programme
from services.registration.consumers import TRAINING_RECORDS_GROUP, record_class_completed
from services.registration.models import Registration, TrainingRecord
from shared.events.consumer import idempotent
from shared.events.envelope import CloudEvent
from tests.unit.registration.fakes import App, registration_app
from tests.unit.registration.test_officials_api import official

BOARD = ["organization_board"]
OFFICER = (["unit_officer"], ["DONGXOAI"])
YEAR = date.today().year


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with registration_app(tmp_path) as a:
        for code, name in (("DONGXOAI", "Thành phố Đồng Xoài"), ("BINHLONG", "Thị xã Bình Long")):
            assert (await a.call("POST", "/units", BOARD, json={"code": code, "name": name,
                                                                 "kind": "district"})).status_code == 201
        cat = a.catalogue
        cat.programmes["CCLLCT"] = Programme("CCLLCT", "Cao cấp lý luận chính trị", "political_theory.advanced")
        cat.programmes["QLNN"] = Programme("QLNN", "Quản lý nhà nước", "state_management.specialist",
                                           target_criteria={"categories": ["civil_servant"]})
        cat.items[YEAR] = [PlanItem("CCLLCT", 66, {"DONGXOAI": 2, "BINHLONG": 1}), PlanItem("QLNN", 60,
                                                                                               {"DONGXOAI": 5})]
        cat.classes["C1"] = ClassInfo("C1", "QLNN-01", "QLNN", date(YEAR, 9, 1), date(YEAR, 10, 30), "open")
        cat.classes["C2"] = ClassInfo("C2", "QLNN-02", "QLNN", date(YEAR, 10, 15), date(YEAR, 11, 30), "open")
        cat.classes["C3"] = ClassInfo("C3", "CCLLCT-01", "CCLLCT", date(YEAR, 10, 1), date(YEAR, 12, 1), "open")
        yield a


async def person(app: App, pid: str = "001075012345", **kw: Any) -> str:
    r = await app.call("POST", "/officials", BOARD, json=official(pid=pid, **kw))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def submit(app: App, oid: str, programme: str = "CCLLCT", klass: str | None = None,
                 who: tuple[list[str], list[str]] = OFFICER) -> Any:
    body = {"official_id": oid, "programme_code": programme, "plan_year": YEAR, "class_id": klass}
    return await app.call("POST", "/registrations", who[0], who[1], json=body)


async def outbox(app: App, event_type: str) -> list[dict[str, Any]]:
    async with app.ctx.sessions() as s:
        rows = (await s.execute(text("SELECT payload FROM outbox WHERE event_type=:t"), {"t": event_type})).all()
    return [json.loads(r[0]) for r in rows]


async def test_accepted_registration_becomes_an_enrolment_request(app: App) -> None:
    oid = await person(app)
    resp = await submit(app, oid)
    assert resp.status_code == 201, resp.text
    reg = resp.json()
    assert (reg["status"], reg["outcome"], reg["findings"]) == ("accepted", "accepted", [])
    approved = await outbox(app, "RegistrationApproved")
    assert [e["data"]["registration_id"] for e in approved] == [reg["id"]]
    assert "001075012345" not in json.dumps(approved)
    async with app.ctx.sessions() as s:
        audit = (await s.execute(text("SELECT action, body FROM audit_log WHERE subject=:s"),
                                 {"s": f"registration:{reg['id']}"})).all()
    assert audit[0][0] == "registration.accept"
    assert json.loads(audit[0][1])["policy_version"] == (
        "registration-checks/2026-2,political-theory/qd-350-qd-tw-2025,management-authority/qd-80-qd-tw-2022")


async def test_flagged_registration_starts_the_review_by_event(app: App) -> None:
    oid = await person(app, party_join_date=None)  # not a party member: advanced theory needs one
    reg = (await submit(app, oid)).json()
    assert reg["outcome"] == "flagged" and reg["status"] == "under_review"
    assert reg["findings"][0]["code"] == "political_theory_criteria" and reg["findings"][0]["message_vi"]
    assert reg["review_workflow_id"] == f"registration-review-{reg['id']}"
    flagged = await outbox(app, "RegistrationFlagged")
    assert flagged[0]["workflowid"] == f"registration-review-{reg['id']}"
    # the reviewer's dossier travels with it: the person (no personal id), their year, the unit's quota
    facts = flagged[0]["data"]["dossier"]
    assert facts["category"] and facts["age"] > 18 and facts["retirement_date"] > "2026"
    assert facts["political_theory"] and facts["quota_used"] == 1 and "personal_id" not in facts
    assert facts["trained_this_year"] == [] and isinstance(facts["other_registrations"], list)
    assert await outbox(app, "RegistrationApproved") == []


async def test_refused_registration_frees_the_key_and_overlap_is_found(app: App) -> None:
    oid = await person(app)
    first = (await submit(app, oid, "QLNN", "C1")).json()
    assert first["outcome"] == "accepted"
    clash = (await submit(app, oid, "CCLLCT", "C3")).json()
    assert clash["outcome"] == "refused" and [f["code"] for f in clash["findings"]] == ["time_overlap"]
    dup = (await submit(app, oid, "QLNN", "C2")).json()
    assert {f["code"] for f in dup["findings"]} == {"duplicate_programme_year", "time_overlap"}
    again = await submit(app, oid, "CCLLCT", "C3")
    assert again.status_code == 201 and again.json()["outcome"] == "refused"


async def test_enrolment_in_scheduling_counts_for_overlap(app: App) -> None:
    oid = await person(app)
    app.catalogue.enrolled[oid] = [ClassInfo("X9", "ANQP-9", "ANQP", date(YEAR, 11, 20), date(YEAR, 12, 10))]
    reg = (await submit(app, oid, "CCLLCT", "C3")).json()
    assert reg["outcome"] == "refused" and "ANQP-9" in reg["findings"][0]["message_en"]


async def test_quota_of_the_unit_flags_the_third(app: App) -> None:
    outcomes = []
    for i in range(3):
        oid = await person(app, pid=f"00107500{i:04d}", name=f"Nguyễn Văn {'ABC'[i]}")
        outcomes.append((await submit(app, oid)).json()["outcome"])
    assert outcomes == ["accepted", "accepted", "flagged"]


async def test_only_the_own_unit_and_bad_input(app: App) -> None:
    oid = await person(app)
    assert (await submit(app, oid, who=(["unit_officer"], ["BINHLONG"]))).status_code == 403
    unknown = await submit(app, oid, "NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "programme_code"
    no_class = await submit(app, oid, "QLNN", "C404")
    assert no_class.status_code == 422 and no_class.json()["errors"][0]["field"] == "class_id"
    wrong = await submit(app, oid, "CCLLCT", "C1")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "class_of_other_programme"
    bad_id = await app.call("POST", "/registrations", *OFFICER, json={"official_id": "123", "programme_code": "Q",
                                                                      "plan_year": YEAR})
    assert bad_id.status_code == 422 and bad_id.json()["errors"][0]["field"] == "official_id"
    nobody = await submit(app, "6f1f8d2e-0000-4000-8000-000000000000")
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "official_id"
    app.catalogue.down = True
    down = await submit(app, oid)
    assert down.status_code == 503 and down.json()["title_vi"] and down.json()["code"] == "scheduling_unavailable"
    async with app.ctx.sessions() as s:
        assert (await s.execute(select(Registration))).scalars().all() == []


async def test_concurrent_submissions_create_one_registration(app: App) -> None:
    oid = await person(app)
    answers = await asyncio.gather(*(submit(app, oid, "QLNN", "C1") for _ in range(6)))
    codes = sorted(r.status_code for r in answers)
    assert codes.count(201) == 1 and set(codes) == {201, 409}
    created = next(r for r in answers if r.status_code == 201).json()["id"]
    assert all(r.json()["registration_id"] == created for r in answers if r.status_code == 409)
    async with app.ctx.sessions() as s:
        assert len((await s.execute(select(Registration))).scalars().all()) == 1


async def test_conflicts_across_units(app: App) -> None:
    a = await person(app)
    b = await person(app, pid="001080000222", name="Lê Văn Bình", birth={"year": 1980}, unit_code="BINHLONG")
    async with app.ctx.sessions() as s, s.begin():  # legacy data: registered twice before the checks existed
        for i, (oid, unit, klass, start, end) in enumerate([
                (a, "DONGXOAI", "C1", date(YEAR, 9, 1), date(YEAR, 10, 30)),
                (a, "BINHLONG", "C3", date(YEAR, 10, 1), date(YEAR, 12, 1)),
                (b, "BINHLONG", "C1", date(YEAR, 9, 1), date(YEAR, 10, 30)),
                (b, "DONGXOAI", "C2", date(YEAR, 11, 1), date(YEAR, 11, 30))]):
            prog = "CCLLCT" if klass == "C3" else "QLNN"
            s.add(Registration(id=f"00000000-0000-4000-8000-00000000000{i}", official_id=oid, official_name="x",
                               unit_code=unit, programme_code=prog, programme_category="c", plan_year=YEAR,
                               class_id=klass, class_start=start, class_end=end, status="accepted",
                               active_key=f"k{i}", findings=[], policy_version="v", note="", review_comment="",
                               submitted_by="t", submitted_at=datetime(YEAR, 1, 1, tzinfo=UTC)))
    found = (await app.call("GET", f"/conflicts?year={YEAR}", BOARD)).json()
    assert [c["official_id"] for c in found["overlaps"]] == [a]
    assert [(c["official_id"], c["units"]) for c in found["duplicates"]] == [(b, ["BINHLONG", "DONGXOAI"])]
    assert (await app.call("GET", f"/conflicts?year={YEAR}", *OFFICER)).status_code == 403
    assert (await app.call("GET", "/conflicts?year=abc", BOARD)).status_code == 422


async def test_compliance_from_class_completed_events(app: App) -> None:
    a = await person(app)
    b = await person(app, pid="001080000222", name="Lê Văn Bình", birth={"year": 1980})
    await person(app, pid="001081000333", name="Trần Văn Cường", birth={"year": 1981}, unit_code="BINHLONG")
    event = CloudEvent(type="ClassCompleted", source="/cadreflow/scheduling", subject="C1", data={
        "class_id": "C1", "class_code": "QLNN-01", "programme_code": "QLNN",
        "programme_category": "state_management.specialist",
        "year": YEAR, "start_date": f"{YEAR}-09-01", "end_date": f"{YEAR}-10-30",
        "participants": [{"official_id": a, "unit_code": "DONGXOAI", "hours": 120, "result": "passed"},
                         {"official_id": b, "unit_code": "DONGXOAI", "hours": 40, "result": "incomplete"}]})
    handle = idempotent(app.ctx, TRAINING_RECORDS_GROUP, record_class_completed)
    await handle(event)
    await handle(event)  # redelivered: no second record
    async with app.ctx.sessions() as s:
        assert len((await s.execute(select(TrainingRecord))).scalars().all()) == 2
    report = (await app.call("GET", f"/compliance?year={YEAR}", BOARD)).json()
    assert report["required_share"] == 1.0
    units = {u["unit_code"]: (u["officials"], u["trained"], u["percentage"], u["compliant"]) for u in report["units"]}
    assert units == {"DONGXOAI": (2, 1, 50.0, False), "BINHLONG": (1, 0, 0.0, False)}
    assert [o["full_name"] for o in report["not_trained"]] == ["Lê Văn Bình", "Trần Văn Cường"]
    mine = (await app.call("GET", f"/compliance?year={YEAR}", *OFFICER)).json()
    assert [u["unit_code"] for u in mine["units"]] == ["DONGXOAI"]
    dossier = (await app.call("GET", f"/officials/{a}", BOARD)).json()
    assert dossier["training_record"][0]["hours"] == 120


async def test_the_flagged_dossier_says_where_the_class_is_held_and_its_hours(app: App) -> None:
    cat = app.catalogue
    cat.programmes["CCLLCT"] = replace(cat.programmes["CCLLCT"], hours=1200)
    cat.classes["C3"] = replace(cat.classes["C3"], institution="Trường Chính trị tỉnh", venue="Cơ sở 2, Đồng Xoài")
    cat.classes["C4"] = ClassInfo("C4", "CCLLCT-02", "CCLLCT", date(YEAR, 10, 1), date(YEAR, 12, 1), "open",
                                  institution="Học viện Chính trị khu vực II", hours=960)
    for pid, klass in (("001075000101", "C3"), ("001075000102", "C4")):
        oid = await person(app, pid=pid, party_join_date=None)  # flagged: advanced theory needs a party member
        assert (await submit(app, oid, "CCLLCT", klass)).json()["outcome"] == "flagged"
    by_class = {e["data"]["class_id"]: e["data"]["dossier"] for e in await outbox(app, "RegistrationFlagged")}
    # without a timetable the class has its programme's hours; with one, the timetable's
    assert [(d["class_institution"], d["class_venue"], d["class_hours"]) for d in (by_class["C3"], by_class["C4"])] == [
        ("Trường Chính trị tỉnh", "Cơ sở 2, Đồng Xoài", 1200), ("Học viện Chính trị khu vực II", "", 960)]


async def test_the_flagged_dossier_names_the_programmes(app: App) -> None:
    oid = await person(app, party_join_date=None)  # flagged: advanced theory needs a party member
    app.catalogue.enrolled[oid] = [ClassInfo("X9", "ANQP-9", "ANQP", date(YEAR, 3, 2), date(YEAR, 3, 20))]
    assert (await submit(app, oid, "QLNN")).json()["outcome"] in ("accepted", "flagged")
    assert (await submit(app, oid, "CCLLCT")).json()["outcome"] == "flagged"
    facts = next(e["data"]["dossier"] for e in await outbox(app, "RegistrationFlagged")
                 if e["data"]["programme_code"] == "CCLLCT")
    assert facts["programme_name"] == "Cao cấp lý luận chính trị"
    assert [(r["programme_code"], r["programme_name"]) for r in facts["other_registrations"]] == [
        ("QLNN", "Quản lý nhà nước")]
    assert [(c["programme_code"], c["programme_name"]) for c in facts["classes"]] == [("ANQP", "")]  # not named
