"""Knowledge-update groups by the rule in force: QĐ 164-QĐ/TW (four groups) until 9 May 2024, then QĐ 145-QĐ/TW."""

from __future__ import annotations

from datetime import date

from services.registration.adapters.catalogue import PlanItem, Programme
from services.registration.adapters.policies import in_force
from services.registration.domain.checks import Finding, Person, Submission, check_submission
from services.scheduling.domain.programme_rules import knowledge_group_unknown
from shared.retirement import BirthDate
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import YEAR, app, person, submit

__all__ = ["app"]
BEFORE, SWITCH = date(2024, 5, 9), date(2024, 5, 10)


def found(level: str | None, on: date, group: str | None = None) -> list[Finding]:
    sub = Submission(person=Person(birth=BirthDate(1975), gender="male", category="cadre", position_level=level),
                     unit_code="U", programme_code="CNKT", programme_category="knowledge_update", plan_year=on.year,
                     target_criteria={"knowledge_update_group": group} if group else {}, unit_allocation=9)
    rules = {"knowledge_update_groups": in_force("knowledge_update_groups", on)}
    return check_submission(sub, in_force("registration_checks", on), on=on, rules=rules)


def test_four_groups_the_day_before_three_from_the_day_of_qd_145() -> None:
    assert len(in_force("knowledge_update_groups", BEFORE).param("groups")) == 4
    assert len(in_force("knowledge_update_groups", SWITCH).param("groups")) == 3
    assert found("district_section_head", BEFORE, "4") == []
    [f] = found("district_section_head", SWITCH, "4")
    assert f.code == "knowledge_update_group" and f.rule is not None
    assert f.rule.version_id == "knowledge-update/qd-145-qd-tw-2024"
    assert "nhóm 4 của chương trình không có trong quy định (các nhóm: 1, 2, 3)" in f.message_vi
    assert found("district_section_head", SWITCH, "3") == []


def test_a_person_must_be_in_the_programmes_group_and_in_some_group() -> None:
    [f] = found("provincial_leader", SWITCH, "3")
    assert "thuộc nhóm 2" in f.message_vi and "Quy định 145-QĐ/TW" in f.message_vi
    assert found("staff", SWITCH)[0].code == "knowledge_update_group"
    assert found("provincial_leader", SWITCH) == []


def test_scheduling_refuses_a_programme_naming_a_group_not_in_force() -> None:
    rule = in_force("knowledge_update_groups", SWITCH)
    assert knowledge_group_unknown("knowledge_update", {"knowledge_update_group": "4"}, rule) is not None
    assert knowledge_group_unknown("knowledge_update", {"knowledge_update_group": "3"}, rule) is None
    assert knowledge_group_unknown("knowledge_update", {"knowledge_update_group": "4"},
                                   in_force("knowledge_update_groups", BEFORE)) is None


async def test_through_the_api_a_group_4_programme_after_qd_145_is_flagged(app: App) -> None:
    app.catalogue.programmes["CNKT"] = Programme("CNKT", "Cập nhật kiến thức", "knowledge_update",
                                                 target_criteria={"knowledge_update_group": "4"})
    app.catalogue.items[YEAR] = [PlanItem("CNKT", 30, {"DONGXOAI": 5})]
    reg = (await submit(app, await person(app), "CNKT")).json()
    [f] = reg["findings"]
    assert (f["code"], f["rule_version"]) == ("knowledge_update_group", "knowledge-update/qd-145-qd-tw-2024")
