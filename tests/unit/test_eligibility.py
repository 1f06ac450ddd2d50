"""Pre-screening eligibility against group criteria."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.selection.domain.eligibility import (
    CriterionResult,
    EligibilityResult,
    GroupCriteria,
    OfficialRecord,
    evaluate_eligibility,
)
from shared.domain_errors import DomainValidationError
from shared.policy import PolicyNotInForceError, load_policy_book
from shared.retirement import BirthDate, Gender

BOOK = load_policy_book()
ON = date(2024, 6, 1)
RECORD = OfficialRecord(
    official_id="o-1", full_name="Nguyễn Văn An", gender=Gender.MALE, birth=BirthDate(1984, 3, 12),
    unit_code="DN-01", political_theory="intermediate", education="master",
    ratings={2021: "HTXSNV", 2022: "HTTNV", 2023: "HTTNV"}, in_planning=True,
    service_start=date(2008, 9, 1), discipline=[],
)
GROUP = GroupCriteria(max_age=40, min_political_theory="intermediate", min_education="bachelor",
                      rating_years=2, min_rating="HTTNV", require_in_planning=True, min_service_years=5)


def check(record: OfficialRecord = RECORD, criteria: GroupCriteria = GROUP, on: date = ON,
          **kw: date) -> tuple[EligibilityResult, dict[str, CriterionResult]]:
    result = evaluate_eligibility(record=record, criteria=criteria, book=BOOK, reference_date=on, **kw)
    return result, {c.code: c for c in result.criteria}


def test_a_fully_eligible_official() -> None:
    result, by_code = check()
    assert result.eligible and not result.failed
    assert set(by_code) == {"max_age", "min_political_theory", "min_education", "ratings", "in_planning",
                            "min_service_years", "months_before_retirement", "discipline"}
    assert by_code["max_age"].explanation_vi == "40 tuổi tại ngày 01/06/2024, tối đa 40"
    assert by_code["max_age"].explanation_en == "aged 40 on 2024-06-01, at most 40"
    assert by_code["min_service_years"].explanation_en == "15 years of service, at least 5 required"
    assert "retirement/decree-135-2020" in result.policy_versions
    assert "planning-age/hd-06-hd-btctw-2021" in result.policy_versions
    assert "discipline/law-52-2019-qh14-art-82" in result.policy_versions


def test_56_months_before_retirement_is_not_enough() -> None:
    record = replace(RECORD, birth=BirthDate(1967, 2, 10))  # retires 2029-02-28
    result, by_code = check(record, GroupCriteria())
    months = by_code["months_before_retirement"]
    assert not result.eligible and not months.passed
    assert months.explanation_vi == "56 tháng trước tuổi nghỉ hưu, cần ít nhất 60"
    assert months.explanation_en == "56 months before retirement age, at least 60 required"


def test_months_are_counted_at_the_proposal_date() -> None:
    record = replace(RECORD, birth=BirthDate(1967, 2, 10))
    _, by_code = check(record, GroupCriteria(), proposal_date=date(2024, 2, 1))
    assert by_code["months_before_retirement"].passed
    assert by_code["months_before_retirement"].explanation_en.startswith("60 months")


def test_too_old() -> None:
    _, by_code = check(replace(RECORD, birth=BirthDate(1978)))
    assert not by_code["max_age"].passed
    assert by_code["max_age"].explanation_vi == "46 tuổi tại ngày 01/06/2024, tối đa 40"


def test_political_theory_and_education_levels_are_ordered() -> None:
    _, by_code = check(replace(RECORD, political_theory="elementary", education="college"))
    assert not by_code["min_political_theory"].passed and not by_code["min_education"].passed
    assert by_code["min_political_theory"].explanation_vi == "Lý luận chính trị sơ cấp, cần từ trung cấp trở lên"
    assert by_code["min_education"].explanation_en == "education college, at least bachelor required"
    _, by_code = check(replace(RECORD, political_theory="advanced", education="doctorate"))
    assert by_code["min_political_theory"].passed and by_code["min_education"].passed


def test_unknown_level_is_a_validation_error() -> None:
    with pytest.raises(DomainValidationError) as info:
        check(replace(RECORD, education="phd"))
    assert info.value.code == "unknown_level"


@pytest.mark.parametrize(("ratings", "passed"), [
    ({2022: "HTTNV", 2023: "HTXSNV"}, True),
    ({2022: "HTNV", 2023: "HTXSNV"}, False),
    ({2023: "HTXSNV"}, False),
])
def test_ratings_of_the_last_years(ratings: dict[int, str], passed: bool) -> None:
    _, by_code = check(replace(RECORD, ratings=ratings))
    assert by_code["ratings"].passed is passed
    assert "2022" in by_code["ratings"].explanation_en and "2023" in by_code["ratings"].explanation_vi


def test_planning_and_service_years() -> None:
    _, by_code = check(replace(RECORD, in_planning=False, service_start=date(2020, 6, 2)))
    assert not by_code["in_planning"].passed and not by_code["min_service_years"].passed
    assert by_code["min_service_years"].explanation_vi == "3 năm công tác, cần ít nhất 5"


@pytest.mark.parametrize(("discipline", "passed"), [
    ([(date(2024, 1, 10), "reprimand")], False),
    ([(date(2023, 5, 31), "reprimand")], True),
    ([(date(2023, 6, 2), "warning")], False),
    ([(date(2023, 1, 1), "demotion")], False),
    ([(date(2022, 5, 1), "dismissal")], True),
    ([(date(2024, 7, 1), "reprimand")], True),
])
def test_recent_discipline_from_reprimand_up_excludes(discipline: list[tuple[date, str]], passed: bool) -> None:
    _, by_code = check(replace(RECORD, discipline=discipline))
    assert by_code["discipline"].passed is passed


def test_discipline_explanation() -> None:
    _, by_code = check(replace(RECORD, discipline=[(date(2024, 1, 10), "reprimand")]))
    assert by_code["discipline"].explanation_vi == "Bị kỷ luật khiển trách ngày 10/01/2024, chưa qua 12 tháng"
    assert by_code["discipline"].explanation_en == "reprimand on 2024-01-10, less than 12 months ago"


def test_no_policy_in_force_is_an_error() -> None:
    with pytest.raises(PolicyNotInForceError):
        check(on=date(2019, 1, 1))


def test_criteria_can_be_switched_off() -> None:
    criteria = GroupCriteria(require_term_before_retirement=False, check_discipline=False)
    result, by_code = check(replace(RECORD, birth=BirthDate(1950)), criteria, on=date(2019, 1, 1))
    assert result.eligible and by_code == {} and result.policy_versions == ()


@given(st.integers(min_value=1960, max_value=2000), st.integers(min_value=25, max_value=60),
       st.booleans(), st.sampled_from(["none", "elementary", "intermediate", "advanced"]))
def test_eligible_iff_every_criterion_passes(year: int, max_age: int, planned: bool, theory: str) -> None:
    record = replace(RECORD, birth=BirthDate(year), in_planning=planned, political_theory=theory)
    result, by_code = check(record, replace(GROUP, max_age=max_age))
    assert result.eligible == all(c.passed for c in result.criteria)
    assert by_code["max_age"].passed == (ON.year - year <= max_age)  # year only → born 1 January
    assert by_code["in_planning"].passed is planned
    looser, _ = check(record, replace(GROUP, max_age=max_age + 1))
    assert result.eligible <= looser.eligible  # raising the age limit never excludes anyone


def test_unknown_service_start_fails_that_criterion_only_with_a_reason() -> None:
    from services.selection.adapters.directory import to_record

    doc = {"id": "o1", "full_name": "Nguyễn Văn An", "gender": "male", "birth": {"year": 1980, "month": 5},
           "unit_code": "DONGXOAI", "political_theory": "advanced", "education": "master",
           "ratings": {}, "in_planning": True, "service_start": None, "discipline": []}
    record = to_record(doc)
    assert record.service_start is None
    result, by_code = check(replace(RECORD, service_start=None))
    assert not by_code["min_service_years"].passed and "service start" in by_code["min_service_years"].explanation_en
    assert [c.code for c in result.failed] == ["min_service_years"]


def test_each_criterion_names_the_rule_version_it_applied_and_the_date() -> None:
    result, by_code = check()
    assert result.evaluated_on == ON
    assert by_code["months_before_retirement"].rule_version == "planning-age/hd-06-hd-btctw-2021"
    assert by_code["discipline"].rule_version == "discipline/law-52-2019-qh14-art-82"
    assert by_code["max_age"].rule_version is None  # the campaign's own criterion, not a policy rule
