"""Defence and security groups by position level (policy data): registration for another group is flagged."""

from __future__ import annotations

from datetime import date

import pytest

from services.registration.adapters.catalogue import PlanItem, Programme
from services.registration.adapters.policies import in_force
from services.registration.domain.checks import Person, Submission, check_submission
from shared.retirement import BirthDate
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import YEAR, app, person, submit

__all__ = ["app"]
ON = date(2026, 6, 1)


def codes(level: str | None, group: str) -> list[str]:
    sub = Submission(person=Person(birth=BirthDate(1980), gender="male", category="cadre", position_level=level),
                     unit_code="U", programme_code="QP", programme_category=f"defence_security.group_{group}",
                     plan_year=2026, unit_allocation=5)
    rules = {"defence_security_periods": in_force("defence_security_periods", ON)}
    return [f.code for f in check_submission(sub, in_force("registration_checks", ON), on=ON, rules=rules)]


@pytest.mark.parametrize(("level", "group"), [("provincial_leader", "1"), ("provincial_department_head", "2"),
                                              ("commune_chair", "3"), ("staff", "4")])
def test_each_position_level_belongs_to_one_group(level: str, group: str) -> None:
    assert codes(level, group) == []
    other = "1" if group != "1" else "2"
    assert codes(level, other) == ["defence_security_group"]


def test_without_a_position_level_the_group_is_unknown() -> None:
    assert codes(None, "4") == ["defence_security_group"]


async def test_through_the_api_a_head_of_section_registered_for_group_1_is_flagged(app: App) -> None:
    app.catalogue.programmes["QPAN1"] = Programme("QPAN1", "QP-AN đối tượng 1", "defence_security.group_1")
    app.catalogue.items[YEAR] = [PlanItem("QPAN1", 5, {"DONGXOAI": 5})]
    reg = (await submit(app, await person(app), "QPAN1")).json()
    [f] = reg["findings"]
    assert (f["code"], f["rule_version"]) == ("defence_security_group", "defence-security/decree-13-2014-139-2020")
    assert "thuộc đối tượng 3" in f["message_vi"] and reg["outcome"] == "flagged"
