"""Postgraduate dispatch through the API: registration's findings, the dispatch, its commitment and the refund."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.registration.adapters.catalogue import PlanItem, Programme
from services.registration.models import PostgraduateDispatch
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import BOARD, YEAR, app, person, submit

__all__ = ["app"]


async def test_registration_for_a_master_is_checked_by_the_dispatch_rule_of_the_dispatch_date(app: App) -> None:
    app.catalogue.programmes["THS"] = Programme("THS", "Đào tạo thạc sĩ", "postgraduate.master")
    oid = await person(app, pid="001084012345", birth={"year": 1984, "month": 6, "day": 30},  # 41 on 30/06/2025
                       ratings={"2023": "HTTNV", "2024": "HTTNV"})
    app.catalogue.items[YEAR] = [PlanItem("THS", 5, {"DONGXOAI": 2}, dispatch_date=date(2025, 6, 30))]
    before = (await submit(app, oid, "THS")).json()
    [finding] = [f for f in before["findings"] if f["code"] == "postgraduate_dispatch"]
    assert finding["rule_version"] == "postgraduate/decree-101-2017" and finding["evaluated_on"] == "2025-06-30"
    assert "quá tuổi tối đa 40" in finding["message_vi"] and "Nghị định 101/2017" in finding["message_vi"]
    assert before["outcome"] == "flagged"


async def test_from_the_switch_day_the_same_person_is_within_the_age(app: App) -> None:
    app.catalogue.programmes["THS"] = Programme("THS", "Đào tạo thạc sĩ", "postgraduate.master")
    oid = await person(app, pid="001084012345", birth={"year": 1984, "month": 6, "day": 30},
                       ratings={"2023": "HTTNV", "2024": "HTXSNV"})
    app.catalogue.items[YEAR] = [PlanItem("THS", 5, {"DONGXOAI": 2}, dispatch_date=date(2025, 7, 1))]
    after = (await submit(app, oid, "THS")).json()
    assert not [f for f in after["findings"] if f["code"] == "postgraduate_dispatch"], after["findings"]


async def test_dispatch_records_the_commitment_and_leaving_early_computes_the_refund(app: App) -> None:
    oid = await person(app, pid="001084012345", birth={"year": 1984, "month": 6, "day": 30},
                       ratings={"2023": "HTTNV", "2024": "HTTNV"})
    body = {"programme_code": "THS", "dispatched_on": "2025-06-30", "training_months": 24, "cost": 240_000_000}
    refused = await app.call("POST", f"/officials/{oid}/dispatches", BOARD, json=body)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "dispatch_conditions_unmet" and "postgraduate/decree-101-2017" in problem["detail"]
    assert problem["errors"][0]["message_vi"].startswith("41 tuổi")
    body["dispatched_on"] = "2025-07-01"
    made = await app.call("POST", f"/officials/{oid}/dispatches", BOARD, json=body)
    assert made.status_code == 201, made.text
    d = made.json()
    assert (d["commitment_months"], d["policy_version"]) == (72, "postgraduate/decree-171-2025")
    assert (await app.call("POST", f"/officials/{oid}/dispatches", ["unit_officer"], ["DONGXOAI"],
                           json=body)).status_code == 403
    left = await app.call("POST", f"/officials/{oid}/dispatches/{d['id']}/leave", BOARD,
                          json={"left_on": "2028-07-01"})  # back 2027-07-01, served 12 of 72 months
    assert left.status_code == 200, left.text
    assert (left.json()["served_months"], left.json()["refund"]) == (12, 200_000_000)
    again = await app.call("POST", f"/officials/{oid}/dispatches/{d['id']}/leave", BOARD,
                           json={"left_on": "2028-08-01"})
    assert again.status_code == 409
    dossier = (await app.call("GET", f"/officials/{oid}", BOARD)).json()
    [line] = dossier["service_commitments"]
    assert line["refund"] == 200_000_000 and "bồi hoàn 200.000.000 đồng" in line["line_vi"]
    assert "cam kết phục vụ 72 tháng (quy định postgraduate/decree-171-2025)" in line["line_vi"]


async def test_a_second_postgraduate_registration_is_not_held_to_the_first_dispatch_age(app: App) -> None:
    app.catalogue.programmes["TS"] = Programme("TS", "Đào tạo tiến sĩ", "postgraduate.doctorate")
    app.catalogue.items[YEAR] = [PlanItem("TS", 5, {"DONGXOAI": 2})]
    oid = await person(app, education="master", ratings={str(YEAR - 2): "HTTNV", str(YEAR - 1): "HTTNV"})  # 51
    first = (await submit(app, oid, "TS")).json()
    assert [f["code"] for f in first["findings"]] == ["postgraduate_dispatch"]
    before_any_rule = await app.call("POST", f"/officials/{oid}/dispatches", BOARD, json={
        "programme_code": "THS", "dispatched_on": "2010-09-01", "training_months": 24, "cost": 1})
    assert before_any_rule.status_code == 422 and before_any_rule.json()["errors"][0]["field"] == "dispatched_on"
    async with app.ctx.sessions() as s:  # an earlier dispatch, from before the rules in the book
        s.add(PostgraduateDispatch(id="d-1", official_id=oid, programme_code="THS", dispatched_on=date(2012, 9, 1),
                                   training_months=24, cost=1, commitment_months=48,
                                   policy_version="postgraduate/decree-101-2017", recorded_by="t",
                                   recorded_at=datetime.now(UTC)))
        await s.commit()
    app.catalogue.items[YEAR + 1] = [PlanItem("TS", 5, {"DONGXOAI": 2})]
    body = {"official_id": oid, "programme_code": "TS", "plan_year": YEAR + 1}
    second = (await app.call("POST", "/registrations", ["unit_officer"], ["DONGXOAI"], json=body)).json()
    assert [f["code"] for f in second["findings"]] == [], second["findings"]
