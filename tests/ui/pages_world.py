"""A small province for the role pages: the four services in process on SQLite (as production composes them),
two units with officials of Vietnamese names, a plan with per-unit allocations, two overlapping classes,
registrations through registration's real API (one accepted, one refused for a time overlap, one flagged), a
completed class recorded by registration's real consumer (compliance), and a campaign in its screening step."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from services.registration.consumers import record_class_completed
from services.registration.models import Registration
from services.scheduling.service import enrolment
from services.selection.models import Campaign, Candidate
from shared.events.envelope import CloudEvent
from shared.uow import unit_of_work
from tests.security.support import OTHER, OWN, Services, build_services, official_body
from tests.unit.scheduling.support import BOARD, seed_class, seed_programme

YEAR = date.today().year
NAMES = {OWN: ["Nguyễn Thị Hoa", "Trần Văn Đức", "Lê Minh Ánh", "Phạm Quốc Bảo", "Đỗ Thị Yến"],
         OTHER: ["Vũ Văn Long", "Hoàng Thị Lan"]}


@dataclass
class World:
    services: Services
    officials: dict[str, str] = field(default_factory=dict)  # full name -> official id
    classes: dict[str, str] = field(default_factory=dict)  # class code -> id
    plan_id: str = ""
    campaign_id: str = ""


async def build_world(tmp: Path) -> World:
    s = await build_services(tmp)
    w = World(s)
    board = s.headers(["organization_board"], user="btc.nguyenvanhai")
    reg = s.client("registration")
    for code, name in ((OWN, "Thành phố Đồng Xoài"), (OTHER, "Thị xã Bình Long")):
        r = await reg.post("/units", headers=board, json={"code": code, "name": name, "kind": "district"})
        assert r.status_code == 201, r.text
    n = 0
    for unit, names in NAMES.items():
        for name in names:
            n += 1
            body = official_body(f"00107501{n:04d}", unit, name)
            body.update({"party_join_date": "2005-05-19", "service_start": "1998-09-01",
                         "ratings": {str(YEAR - 2): "HTTNV", str(YEAR - 1): "HTXSNV"},
                         "position": "Trưởng phòng", "position_level": "provincial_section_head",
                         "planning": [{"position": f"Phó Chủ tịch UBND ({n:04d})", "term": "2026-2031"}],
                         # Lê Minh Ánh already holds intermediate theory: registering her again is refused
                         "political_theory": "intermediate" if name == "Lê Minh Ánh" else "elementary"})
            r = await reg.post("/officials", headers=board, json=body)
            assert r.status_code == 201, r.text
            w.officials[name] = r.json()["id"]
    sched = s.contexts["scheduling"]
    await seed_programme(sched, name_en="Intermediate political theory and administration")
    today = date.today()
    w.classes["LLCT-TC-01"] = await seed_class(sched, code="LLCT-TC-01", today=today, capacity=4, target=3)
    w.classes["LLCT-TC-02"] = await seed_class(sched, code="LLCT-TC-02", today=today, capacity=3, target=3,
                                               start_in=40)
    r = await s.client("scheduling").post("/plans", headers=board, json={
        "number": "159-KH/TU", "year": YEAR, "title": "Kế hoạch đào tạo, bồi dưỡng cán bộ",
        "items": [{"programme_code": "LLCT-TC", "quota": 6, "allocations": {OWN: 4, OTHER: 2}}]})
    assert r.status_code == 201, r.text
    w.plan_id = r.json()["id"]
    officer = s.headers(["unit_officer"], [OWN], user="tc.dongxoai", unit=OWN)
    first = await reg.post("/registrations", headers=officer, json={
        "official_id": w.officials["Trần Văn Đức"], "programme_code": "LLCT-TC", "plan_year": YEAR,
        "class_id": w.classes["LLCT-TC-01"]})
    assert first.status_code == 201 and first.json()["outcome"] == "accepted", first.text
    clash = await reg.post("/registrations", headers=officer, json={
        "official_id": w.officials["Trần Văn Đức"], "programme_code": "LLCT-TC", "plan_year": YEAR,
        "class_id": w.classes["LLCT-TC-02"]})
    assert clash.status_code == 201, clash.text
    for code, name, unit in (("LLCT-TC-01", "Lê Minh Ánh", OWN), ("LLCT-TC-01", "Phạm Quốc Bảo", OWN),
                             ("LLCT-TC-01", "Vũ Văn Long", OTHER), ("LLCT-TC-01", "Hoàng Thị Lan", OTHER),
                             ("LLCT-TC-01", "Đỗ Thị Yến", OWN)):  # beyond the capacity of 4: the last waits
        async with unit_of_work(sched) as uow:
            await enrolment.enrol(uow, class_id=w.classes[code], official_id=w.officials[name], official_name=name,
                                  unit_code=unit, source="board", actor=BOARD)
    await _legacy_conflicts(s, w)
    done = CloudEvent(type="ClassCompleted", source="/cadreflow/scheduling", subject="class-done", data={
        "class_id": "class-done", "class_code": "BD-2025", "programme_code": "LLCT-TC",
            "programme_category": "political_theory.intermediate", "year": YEAR,
            "start_date": date(YEAR, 1, 5).isoformat(), "end_date": date(YEAR, 2, 5).isoformat(),
            "participants": [{"official_id": w.officials[name], "hours": 40, "result": "passed"}
                             for name in ("Nguyễn Thị Hoa", "Trần Văn Đức", "Vũ Văn Long")]})
    async with unit_of_work(s.contexts["registration"]) as uow:
        await record_class_completed(uow, done)
    w.campaign_id = await _campaign(s, w)
    return w


async def _legacy_conflicts(s: Services, w: World) -> None:
    """Registrations made before the checks existed: one person in two overlapping classes, one registered twice
    for the same programme by two units (the conflicts the Board reads)."""
    rows = [("Hoàng Thị Lan", OTHER, "LLCT-TC-01"), ("Hoàng Thị Lan", OWN, "LLCT-TC-02")]
    async with unit_of_work(s.contexts["registration"]) as uow:
        for i, (name, unit, code) in enumerate(rows):
            uow.session.add(Registration(
                id=str(uuid.uuid4()), official_id=w.officials[name], official_name=name, unit_code=unit,
                programme_code="LLCT-TC", programme_category="political_theory.intermediate", plan_year=YEAR,
                class_id=w.classes[code], class_start=date(YEAR, 12, 23 + i), class_end=date(YEAR + 1, 3, 23),
                status="accepted", active_key=f"legacy-{i}", findings=[], policy_version="registration-checks/2026-2",
                note="", review_comment="", submitted_by="legacy", submitted_at=datetime(YEAR, 1, 10, tzinfo=UTC)))


async def _campaign(s: Services, w: World) -> str:
    """A campaign in its screening step (written as selection's workflow leaves it; no Temporal here)."""
    cid = str(uuid.uuid4())
    settings = {"groups": [{"code": "G1", "name": "Nhóm 1 — cấp tỉnh", "seats": 2, "class_id": None}]}
    async with unit_of_work(s.contexts["selection"]) as uow:
        uow.session.add(Campaign(id=cid, number="134-KH/TU", title="Tuyển chọn, đào tạo cán bộ nguồn",
                                 status="running", step="screening", settings=json.dumps(settings),
                                 policy="{}", workflow_id=f"campaign-{cid}", marking_closed=False,
                                 created_at=datetime.now(UTC), created_by="btc.nguyenvanhai"))
        for name, stage in (("Nguyễn Thị Hoa", "eligible"), ("Lê Minh Ánh", "proposed"),
                            ("Vũ Văn Long", "not_eligible")):
            uow.session.add(Candidate(id=str(uuid.uuid4()), campaign_id=cid, official_id=w.officials[name],
                                      full_name=name, unit_code=OWN, group_code="G1", evaluation="Hoàn thành tốt",
                                      proposed_by="tc.dongxoai", stage=stage))
    return cid

