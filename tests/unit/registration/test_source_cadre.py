"""The source-cadre class (Kế hoạch 134-KH/TU) by its policy data: a specialist civil servant with intermediate
political theory who is neither a leader nor planned is flagged, with the reason in words and the rule named."""

from __future__ import annotations

from datetime import date

from services.registration.adapters.policies import in_force
from services.registration.domain.checks import Finding, Person, Submission, check_submission, outcome_of
from services.registration.domain.rule_checks import rules_for
from shared.retirement import BirthDate

ON = date(2026, 6, 1)


def checked(**kw: object) -> list[Finding]:
    base: dict[str, object] = {"birth": BirthDate(1985), "gender": "male", "category": "civil_servant",
                               "position": "Chuyên viên", "education": "bachelor", "political_theory": "intermediate",
                               "party_member": True, "position_level": None}
    base.update(kw)
    sub = Submission(person=Person(**base), unit_code="DONGXOAI", programme_code="TAONGUON",  # type: ignore[arg-type]
                     programme_category="source_cadre_class", plan_year=2023, unit_allocation=9)
    rules = {key: in_force(key, ON) for key in rules_for("source_cadre_class")}
    return check_submission(sub, in_force("registration_checks", ON), on=ON, rules=rules)


def test_the_source_cadre_class_has_a_rule_of_its_own() -> None:
    assert rules_for("source_cadre_class") == ("source_cadre_criteria",)


def test_a_specialist_with_intermediate_theory_is_flagged_with_the_reason_in_words() -> None:
    findings = checked()
    [f] = [f for f in findings if f.code == "source_cadre_criteria"]
    assert outcome_of(findings) == "flagged"
    assert f.rule is not None and f.rule.version_id == "source-cadre/134-kh-tu-2023"
    assert "134-KH/TU" in f.message_vi and "chưa ghi cấp chức vụ, chưa trong quy hoạch" in f.message_vi
    assert "intermediate" not in f.message_vi and "None" not in f.message_vi


def test_a_district_head_of_section_or_a_planned_official_fits() -> None:
    assert [f for f in checked(position_level="district_section_head") if f.code == "source_cadre_criteria"] == []


def test_each_unmet_standard_is_named() -> None:
    [f] = [f for f in checked(position_level="district_section_head", political_theory="elementary",
                              party_member=False, education="college") if f.code == "source_cadre_criteria"]
    assert "chưa là đảng viên" in f.message_vi
    assert "trình độ lý luận chính trị sơ cấp, cần từ trung cấp trở lên" in f.message_vi
    assert "trình độ chuyên môn cao đẳng, cần từ đại học trở lên" in f.message_vi
