"""QĐ 377-QĐ/TW through POST /officials: limits refused naming the rule; discipline removes from planning."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from services.selection.adapters.directory import to_record
from tests.unit.registration.fakes import App
from tests.unit.registration.test_officials_api import BOARD, app, official

__all__ = ["app"]
PLANNED = [{"position": "Phó Chủ tịch UBND thành phố", "term": "2026-2031"}]


async def test_the_fourth_person_planned_for_a_position_is_refused_naming_the_rule(app: App) -> None:
    for n in range(3):
        r = await app.call("POST", "/officials", BOARD, json=official(pid=f"00107500000{n}", planning=PLANNED))
        assert r.status_code == 201, r.text
    fourth = await app.call("POST", "/officials", BOARD, json=official(pid="001075000009", planning=PLANNED))
    assert fourth.status_code == 422
    [error] = fourth.json()["errors"]
    assert (error["field"], error["code"]) == ("planning.0", "planning_position_full")
    assert "Quy định 377-QĐ/TW" in error["message_vi"] and "planning/qd-377-qd-tw-2025" in error["message_en"]
    # the same three may be updated: a person is not counted against themselves
    again = await app.call("POST", "/officials", BOARD, json=official(pid="001075000000", planning=PLANNED,
                                                                      title="Tiến sĩ"))
    assert again.status_code == 200, again.text


async def test_four_positions_at_one_level_are_refused(app: App) -> None:
    four = [{"position": f"Chức danh {n}", "term": "2026-2031", "level": "provincial"} for n in range(4)]
    r = await app.call("POST", "/officials", BOARD, json=official(planning=four))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "planning_positions_per_person"


async def test_a_reprimand_removes_the_person_from_planning_for_the_term_with_the_rule_version(app: App) -> None:
    oid = (await app.call("POST", "/officials", BOARD, json=official(planning=PLANNED))).json()["id"]
    day = date.today().isoformat()
    r = await app.call("POST", "/officials", BOARD, json=official(
        planning=PLANNED, discipline=[{"date": day, "level": "reprimand"}]))
    assert r.status_code == 200, r.text
    dossier = (await app.call("GET", f"/officials/{oid}", BOARD)).json()
    assert dossier["in_planning"] is False
    [removed] = dossier["planning"]
    assert removed["removed_on"] == day and removed["removal_rule_version"] == "planning/qd-377-qd-tw-2025"
    assert "khỏi quy hoạch nhiệm kỳ 2026-2031" in removed["removed_reason_vi"]
    async with app.ctx.sessions() as s:
        body = (await s.execute(text("SELECT body FROM audit_log WHERE action='planning.remove'"))).scalar_one()
    assert json.loads(body)["policy_version"] == "planning/qd-377-qd-tw-2025"
    # screening reads the planning state at its snapshot date: planned the day before, not from the day
    yesterday = date.fromordinal(date.today().toordinal() - 1)
    assert to_record(dossier, planning_on=yesterday).in_planning is True
    assert to_record(dossier, planning_on=date.today()).in_planning is False


async def test_planning_structure_reports_young_and_women_shares_against_the_targets(app: App) -> None:
    young = official(pid="001195000001", name="Trần Thị Mai", gender="female", birth={"year": 1995},
                     service_start="2018-09-01", party_join_date="2019-05-19", planning=PLANNED)
    made = await app.call("POST", "/officials", BOARD, json=young)
    assert made.status_code == 201, made.text
    assert (await app.call("POST", "/officials", BOARD, json=official(planning=PLANNED))).status_code == 201
    unplanned = official(pid="001075000077", planning=[])
    assert (await app.call("POST", "/officials", BOARD, json=unplanned)).status_code == 201
    report = (await app.call("GET", "/planning/structure", BOARD)).json()
    assert report["planned"] == 2 and report["rule_version"] == "planning/qd-377-qd-tw-2025"
    assert report["young"] == {"count": 1, "share": 0.5, "target": 0.15, "met": True}
    assert report["women"]["count"] == 1 and report["women"]["met"] is True
    assert (await app.call("GET", "/planning/structure", ["unit_officer"], ["DONGXOAI"])).status_code == 403
