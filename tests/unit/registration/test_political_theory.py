"""Political theory standards by QĐ 350-QĐ/TW: position level or planning, party membership, degree, ratings."""

from __future__ import annotations

from datetime import date

from services.registration.adapters.policies import in_force
from services.registration.domain.checks import Finding, Person, Submission, check_submission
from shared.retirement import BirthDate
from tests.unit.registration.fakes import App
from tests.unit.registration.test_registrations_api import app, person, submit

__all__ = ["app"]
ON = date(2026, 6, 1)
RATED = {2024: "HTTNV", 2025: "HTXSNV"}


def found(level: str | None, category: str = "political_theory.intermediate", on: date = ON,
          **kw: object) -> list[Finding]:
    base: dict[str, object] = {"birth": BirthDate(1985), "gender": "female", "category": "civil_servant",
                               "education": "bachelor", "political_theory": "intermediate", "party_member": True,
                               "ratings": RATED, "position_level": level}
    base.update(kw)
    sub = Submission(person=Person(**base), unit_code="U", programme_code="P",  # type: ignore[arg-type]
                     programme_category=category, plan_year=on.year, unit_allocation=9)
    rules = {"political_theory_criteria": in_force("political_theory_criteria", on)}
    return [f for f in check_submission(sub, in_force("registration_checks", on), on=on, rules=rules)
            if f.code == "political_theory_criteria"]


def test_the_version_switches_on_5_september_2025() -> None:
    assert in_force("political_theory_criteria", date(2025, 9, 4)).version_id == "political-theory/before-qd-350"
    assert in_force("political_theory_criteria", date(2025, 9, 5)).version_id == "political-theory/qd-350-qd-tw-2025"
    [f] = found("staff", on=date(2025, 9, 5), ratings={2023: "HTTNV", 2024: "HTTNV"})
    assert f.rule is not None and f.rule.version_id == "political-theory/qd-350-qd-tw-2025"


def test_intermediate_from_deputy_head_of_section_or_planned() -> None:
    assert found("commune_deputy_section_head") == []
    [f] = found("staff")
    assert "đối tượng là phó trưởng phòng (tương đương) trở lên" in f.message_vi
    assert "Quy định 350-QĐ/TW" in f.message_vi and "no leadership position" in f.message_en
    assert found("staff", in_planning=True) == []


def test_advanced_from_provincial_head_of_section_and_commune_chairs_not_by_planning() -> None:
    advanced = "political_theory.advanced"
    assert found("provincial_section_head", advanced) == [] and found("commune_chair", advanced) == []
    assert found("provincial_deputy_section_head", advanced)
    assert found("staff", advanced, in_planning=True)


def test_party_degree_and_two_years_completed_well() -> None:
    [f] = found("commune_chair", party_member=False, education=None, ratings={2024: "HTNV", 2025: "HTTNV"})
    assert "chưa là đảng viên" in f.message_vi and "education none, at least college required" in f.message_en
    assert "(2024: HTNV, 2025: HTTNV)" in f.message_en
    assert found("commune_chair", education="college") == []
    assert found("commune_chair", ratings={2025: "HTXSNV"})  # 2024 missing


async def test_through_the_api_a_staff_member_not_planned_is_flagged_naming_the_rule(app: App) -> None:
    oid = await person(app, position_level="staff", planning=[])
    reg = (await submit(app, oid)).json()
    [f] = reg["findings"]
    assert (f["code"], f["rule"], f["rule_version"]) == (
        "political_theory_criteria", "political_theory_criteria", "political-theory/qd-350-qd-tw-2025")
    assert "trưởng phòng (tương đương) cấp tỉnh trở lên" in f["message_vi"] and reg["outcome"] == "flagged"
