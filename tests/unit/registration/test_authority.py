"""Management authority (phân cấp quản lý cán bộ): the managing body by the rule in force, routing and dispatches."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.registration.domain.authority import Official, managing_authority
from shared.policy import PolicyBook, PolicyDataError, load_policy_book
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import BOARD, app, outbox, person, submit
from workflows.starters import authority_of

__all__ = ["app"]
BOOK = load_policy_book()
ON = date(2026, 3, 1)
RULE = BOOK.in_force("management_authority", ON)


@pytest.mark.parametrize(("who", "body", "rule"), [
    (Official("cadre", "district_leader"), "standing_committee", "provincial_leaders"),
    (Official("civil_servant", "provincial_department_head"), "standing_committee", "provincial_leaders"),
    (Official("civil_servant", "staff", "Tinh uy vien"), "standing_committee", "provincial_committee_members"),
    (Official("civil_servant", "district_section_head"), "organization_board", "heads_of_section"),
    (Official("public_employee", "district_section_head"), "unit_leadership", "unit_managed"),  # by category
    (Official("civil_servant", "staff"), "unit_leadership", "unit_managed"),
    (Official("civil_servant", None), "unit_leadership", "unit_managed"),
])
def test_the_first_rule_that_matches_names_the_body(who: Official, body: str, rule: str) -> None:
    found = managing_authority(who, RULE, ON)
    assert (found.body, found.rule_id, found.version_id) == (body, rule, "management-authority/qd-80-qd-tw-2022")


def test_the_answer_says_the_body_its_approvers_and_the_rule_in_words() -> None:
    leader = managing_authority(Official("cadre", "district_leader"), RULE, ON)
    assert leader.approver_roles == ("committee_chair",)
    assert leader.reason_vi.startswith("Thuộc diện Ban Thường vụ Tỉnh ủy quản lý: lãnh đạo chủ chốt cấp tỉnh")
    assert "Quy định 80-QĐ/TW" in leader.reason_vi and "Regulation 80-QD/TW" in leader.reason_en
    unit = managing_authority(Official("civil_servant", "staff"), RULE, ON)
    # the Board keeps deciding on a unit's behalf (the scenario's Board users decide those reviews)
    assert set(unit.approver_roles) == {"unit_officer", "organization_board"}


def test_the_version_in_force_on_the_date_applies() -> None:
    def version(on: date) -> str:
        return BOOK.in_force("management_authority", on).version_id

    assert version(date(2020, 1, 1)) == "management-authority/qd-105-qd-tw-2017"
    assert version(date(2022, 8, 18)) == "management-authority/qd-80-qd-tw-2022"


def _changed(edit: Any) -> Any:
    raw = RULE.to_dict()
    edit(raw["parameters"])
    return PolicyBook.from_documents([{"rule_key": "management_authority", "versions": [raw]}]).in_force(
        "management_authority", ON)


@pytest.mark.parametrize("edit", [
    lambda p: p["rules"][-1].update(position_levels=["staff"]),  # the last rule must match everyone
    lambda p: p["rules"][0].update(body="province_council"),  # an unknown body
    lambda p: p["bodies"]["unit_leadership"].update(approver_roles=[]),  # a body nobody may act for
])
def test_malformed_rules_are_refused(edit: Any) -> None:
    with pytest.raises(PolicyDataError):
        managing_authority(Official("civil_servant", "staff"), _changed(edit), ON)


def test_an_event_without_the_authority_is_reviewed_as_before() -> None:
    assert authority_of(None) is None


# --- through the API: the registration records its body and the flagged event carries it -----------------------

async def test_a_flagged_registration_carries_its_managing_body_to_the_review(app: App) -> None:
    oid = await person(app, party_join_date=None, category="cadre", position_level="district_leader")
    reg = (await submit(app, oid)).json()
    assert reg["outcome"] == "flagged"
    assert (reg["managing_body"], reg["authority_rule"]) == (
        "standing_committee", f"{BOOK.in_force('management_authority', date.today()).version_id}#provincial_leaders")
    [event] = await outbox(app, "RegistrationFlagged")
    carried = event["data"]["authority"]
    assert (carried["body"], carried["approver_roles"]) == ("standing_committee", ["committee_chair"])
    assert carried["rule_vi"].startswith("Thuộc diện Ban Thường vụ Tỉnh ủy quản lý")
    review = authority_of(carried)
    assert review is not None and review.approver_roles == ["committee_chair"]


# --- dispatches: only the managing body's approvers record one -------------------------------------------------

DISPATCH = {"programme_code": "THS", "dispatched_on": "2025-07-01", "training_months": 24, "cost": 240_000_000}


async def _eligible(app: App, **kw: Any) -> str:
    return await person(app, pid="001084012345", birth={"year": 1984, "month": 6, "day": 30},
                        ratings={"2023": "HTTNV", "2024": "HTTNV"}, **kw)


async def test_the_board_may_not_dispatch_a_cadre_the_standing_committee_manages(app: App) -> None:
    oid = await _eligible(app, category="cadre", position_level="district_leader")
    refused = await app.call("POST", f"/officials/{oid}/dispatches", BOARD, json=DISPATCH)
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["code"] == "outside_managing_body"
    assert "Ban Thường vụ Tỉnh ủy" in problem["detail_vi"] and "Standing Committee" in problem["detail"]
    assert (await app.call("GET", f"/officials/{oid}/dispatches", BOARD)).json() == []  # nothing recorded
    made = await app.call("POST", f"/officials/{oid}/dispatches", ["committee_chair"], json=DISPATCH)
    assert made.status_code == 201, made.text
    d = made.json()
    assert (d["managing_body"], d["authority_rule"]) == (
        "standing_committee", "management-authority/qd-80-qd-tw-2022#provincial_leaders")
    leave = await app.call("POST", f"/officials/{oid}/dispatches/{d['id']}/leave", BOARD,
                           json={"left_on": "2028-07-01"})
    assert leave.status_code == 403 and leave.json()["code"] == "outside_managing_body"


async def test_the_committee_chair_may_not_dispatch_whom_a_unit_manages(app: App) -> None:
    oid = await _eligible(app, position_level="staff")
    refused = await app.call("POST", f"/officials/{oid}/dispatches", ["committee_chair"], json=DISPATCH)
    assert refused.status_code == 403 and "Lãnh đạo đơn vị" in refused.json()["detail_vi"]
    made = await app.call("POST", f"/officials/{oid}/dispatches", BOARD, json=DISPATCH)
    assert made.status_code == 201 and made.json()["managing_body"] == "unit_leadership"
