"""The registration checks (pure rules) and their outcome."""

from __future__ import annotations

from datetime import date

from services.registration.adapters.policies import in_force
from services.registration.domain.checks import Booking, Person, Submission, check_submission, outcome_of
from shared.retirement import BirthDate

TODAY = date(2026, 6, 1)
POLICY = in_force("registration_checks", TODAY)


def person(**kw: object) -> Person:
    base: dict[str, object] = {"birth": BirthDate(1980, 5, 2), "gender": "male", "category": "civil_servant",
                               "education": "bachelor", "political_theory": "intermediate", "party_member": True}
    base.update(kw)
    return Person(**base)  # type: ignore[arg-type]


def submission(**kw: object) -> Submission:
    base: dict[str, object] = {"person": person(), "unit_code": "DONGXOAI", "programme_code": "CCLLCT",
                               "programme_category": "political_theory.advanced", "plan_year": 2026,
                               "unit_allocation": 3, "unit_active_count": 0}
    base.update(kw)
    return Submission(**base)  # type: ignore[arg-type]


def codes(sub: Submission) -> dict[str, str]:
    return {f.code: f.severity for f in check_submission(sub, POLICY, on=TODAY)}


def test_an_eligible_person_within_quota_is_accepted() -> None:
    findings = check_submission(submission(), POLICY, on=TODAY)
    assert findings == [] and outcome_of(findings) == "accepted"


def test_political_theory_standards_flag_an_ineligible_person() -> None:
    # QĐ 350-QĐ/TW's standards (party membership among them) are a dated rule of their own, no longer defaults
    found = check_submission(submission(person=person(party_member=False, political_theory="elementary")),
                             POLICY, on=TODAY, rules={"political_theory_criteria": in_force(
                                 "political_theory_criteria", TODAY)})
    assert [f.code for f in found] == ["political_theory_criteria"]
    assert "đảng viên" in found[0].message_vi and "party member" in found[0].message_en
    assert outcome_of(found) == "flagged"


def test_programme_criteria_override_the_defaults() -> None:
    sub = submission(target_criteria={"max_age": 40, "categories": ["cadre"]})
    found = check_submission(sub, POLICY, on=TODAY)
    assert found[0].code == "eligibility" and "older than 40" in found[0].message_en
    assert "category civil_servant" in found[0].message_en


def test_duplicate_programme_and_year_is_refused() -> None:
    other = Booking(ref="registration:1", programme_code="CCLLCT", plan_year=2026, start=None, end=None)
    assert codes(submission(others=[other])) == {"duplicate_programme_year": "error"}


def test_holding_the_level_already_is_refused() -> None:
    sub = submission(person=person(political_theory="advanced"))
    assert codes(sub) == {"already_holds_level": "error"}
    assert outcome_of(check_submission(sub, POLICY, on=TODAY)) == "refused"


def test_time_overlap_with_an_enrolled_class_is_refused() -> None:
    enrolled = Booking(ref="class:QP-1", programme_code="QPAN", plan_year=None, start=date(2026, 9, 1),
                       end=date(2026, 9, 30), kind="enrolment")
    sub = submission(class_start=date(2026, 9, 20), class_end=date(2026, 12, 20), others=[enrolled])
    found = check_submission(sub, POLICY, on=TODAY)
    assert [(f.code, f.severity) for f in found] == [("time_overlap", "error")]
    assert "class:QP-1" in found[0].message_en
    apart = submission(class_start=date(2026, 10, 1), class_end=date(2026, 12, 20), others=[enrolled])
    assert codes(apart) == {}


def test_quota_exceeded_and_not_in_plan_are_flagged() -> None:
    assert codes(submission(unit_allocation=2, unit_active_count=2)) == {"quota_exceeded": "warning"}
    assert codes(submission(unit_allocation=None)) == {"not_in_plan": "warning"}
