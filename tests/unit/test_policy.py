"""Effective-dated policy data."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.policy import (
    PolicyBook,
    PolicyDataError,
    PolicyNotInForceError,
    PolicyVersion,
    load_policy_book,
)

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_KEYS = {
    "retirement_age", "planning_min_months_before_retirement", "nomination_threshold", "exam_marking",
    "postgraduate_dispatch", "annual_training_obligation", "defence_security_periods", "planning_limits",
    "discipline_exclusion", "committee_approval", "political_theory_criteria", "knowledge_update_groups",
}
DOMAIN_MODULES = [
    "shared/vietnamese.py", "shared/policy.py", "shared/domain_errors.py",
    "shared/retirement.py", "services/registration/domain/personal_id.py",
    "services/selection/domain/tally.py", "shared/marking.py",
    "services/selection/domain/ranking.py", "services/selection/domain/committee.py",
    "services/selection/domain/eligibility.py",
]
BOOK = load_policy_book()


def version(key: str, on: date) -> PolicyVersion:
    return BOOK.in_force(key, on)


def doc(key: str, *versions: dict[str, Any]) -> dict[str, Any]:
    return {"rule_key": key, "versions": list(versions)}


def raw(vid: str, start: str, end: str | None = None, **params: Any) -> dict[str, Any]:
    return {"version_id": vid, "effective_from": start, "effective_to": end,
            "source": {"vi": "nguồn", "en": "source"}, "parameters": params}


def test_book_has_every_required_rule() -> None:
    assert set(BOOK.rule_keys) >= REQUIRED_KEYS


def test_every_version_is_cited_in_both_languages() -> None:
    for key in BOOK.rule_keys:
        for v in BOOK.versions_of(key):
            assert v.source.vi.strip() and v.source.en.strip(), v.version_id
            assert "/" in v.version_id
            assert v.effective_to is None or v.effective_to >= v.effective_from


def test_retirement_age_parameters_of_decree_135() -> None:
    v = version("retirement_age", date(2021, 1, 1))
    assert v.version_id == "retirement/decree-135-2020"
    assert (v.param("men_base_months"), v.param("men_step_months"), v.param("men_cap_months")) == (720, 3, 744)
    assert (v.param("women_base_months"), v.param("women_step_months"), v.param("women_cap_months")) == (660, 4, 720)


def test_no_retirement_rule_before_2021_raises_clear_error() -> None:
    with pytest.raises(PolicyNotInForceError) as info:
        BOOK.in_force("retirement_age", date(2020, 12, 31))
    assert "retirement_age" in str(info.value) and "2020-12-31" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_unknown_rule_raises_not_in_force() -> None:
    with pytest.raises(PolicyNotInForceError, match="no_such_rule"):
        BOOK.in_force("no_such_rule", date(2024, 1, 1))


def test_planning_min_months_is_60() -> None:
    assert version("planning_min_months_before_retirement", date(2024, 6, 1)).param("min_months") == 60


def test_nomination_threshold_defaults() -> None:
    v = version("nomination_threshold", date(2023, 5, 1))
    assert (v.param("threshold"), v.param("base"), v.param("strictly_more")) == ("0.5", "convened", True)


@pytest.mark.parametrize(("on", "expected"), [
    (date(2023, 1, 1), "exam-marking/circular-06-2020-tt-bnv"),
    (date(2025, 6, 30), "exam-marking/circular-06-2020-tt-bnv"),
    (date(2025, 7, 1), "exam-marking/decree-170-2025"),
])
def test_exam_marking_switches_on_2025_07_01(on: date, expected: str) -> None:
    v = version("exam_marking", on)
    assert v.version_id == expected
    assert (v.param("resolve_max_spread"), v.param("council_chair_min_spread")) == ("5", "10")
    assert (v.param("pass_mark"), v.param("scale")) == ("50", "100")
    assert "ASSUMPTION" in version("exam_marking", date(2025, 7, 1)).assumptions


@pytest.mark.parametrize(("on", "max_age", "factor"), [
    (date(2025, 6, 30), 40, 2),
    (date(2025, 7, 1), 45, 3),
])
def test_postgraduate_dispatch_by_decree(on: date, max_age: int, factor: int) -> None:
    v = version("postgraduate_dispatch", on)
    assert (v.param("max_age"), v.param("commitment_factor")) == (max_age, factor)
    assert (v.param("min_service_years"), v.param("consecutive_rated_years")) == (3, 2)


def test_annual_training_obligation_is_full() -> None:
    v = version("annual_training_obligation", date(2024, 1, 1))
    assert v.param("required_share") == "1"
    assert "164-QĐ/TW" in v.source.vi and "101/2017" in v.source.vi and "89/2021" in v.source.vi


def test_defence_security_periods_by_group() -> None:
    periods = version("defence_security_periods", date(2024, 1, 1)).param("periods_by_group")
    assert dict(periods) == {"1": 176, "2": 120, "3": 96, "4": 32}


@pytest.mark.parametrize(("on", "expected"), [
    (date(2024, 1, 1), "planning/qd-50-qd-tw-2021"),
    (date(2025, 10, 8), "planning/qd-377-qd-tw-2025"),
])
def test_planning_limits(on: date, expected: str) -> None:
    v = version("planning_limits", on)
    assert v.version_id == expected
    assert (v.param("max_people_per_position"), v.param("max_positions_per_person")) == (3, 3)


def test_parameters_are_read_only() -> None:
    v = version("retirement_age", date(2024, 1, 1))
    with pytest.raises(TypeError):
        v.parameters["men_cap_months"] = 1  # type: ignore[index]


def test_missing_parameter_names_the_version() -> None:
    with pytest.raises(PolicyDataError, match="retirement/decree-135-2020"):
        version("retirement_age", date(2024, 1, 1)).param("nope")


def test_version_lookup_by_id_for_audit_replay() -> None:
    assert BOOK.version("postgraduate/decree-101-2017").param("max_age") == 40
    with pytest.raises(LookupError):
        BOOK.version("nope/1")


def test_load_returns_a_fresh_book_each_call() -> None:
    assert load_policy_book() is not load_policy_book()


def test_to_dict_round_trips() -> None:
    for key in BOOK.rule_keys:
        rebuilt = PolicyBook.from_documents([doc(key, *(v.to_dict() for v in BOOK.versions_of(key)))])
        assert rebuilt.versions_of(key) == BOOK.versions_of(key)


def test_overlapping_versions_are_rejected() -> None:
    with pytest.raises(PolicyDataError, match="overlaps"):
        PolicyBook.from_documents([doc("r", raw("r/1", "2020-01-01", "2021-01-01"), raw("r/2", "2021-01-01"))])
    with pytest.raises(PolicyDataError, match="overlaps"):
        PolicyBook.from_documents([doc("r", raw("r/1", "2020-01-01"), raw("r/2", "2022-01-01"))])


def test_malformed_data_is_rejected() -> None:
    with pytest.raises(PolicyDataError, match="duplicate"):
        PolicyBook.from_documents([doc("r", raw("r/1", "2020-01-01", "2020-12-31"), raw("r/1", "2021-01-01"))])
    with pytest.raises(PolicyDataError, match="ISO date"):
        PolicyBook.from_documents([doc("r", raw("r/1", "01/01/2020"))])
    with pytest.raises(PolicyDataError, match="before"):
        PolicyBook.from_documents([doc("r", raw("r/1", "2021-01-01", "2020-01-01"))])
    with pytest.raises(PolicyDataError, match="malformed"):
        PolicyBook.from_documents([doc("r", {"version_id": "r/1"})])


def test_gaps_between_versions_raise() -> None:
    book = PolicyBook.from_documents([doc("r", raw("r/1", "2020-01-01", "2020-06-30"), raw("r/2", "2021-01-01"))])
    assert book.in_force("r", date(2020, 6, 30)).version_id == "r/1"
    assert book.in_force("r", date(2021, 1, 1)).version_id == "r/2"
    with pytest.raises(PolicyNotInForceError, match="r/1, r/2"):
        book.in_force("r", date(2020, 7, 1))


@given(st.dates(min_value=date(2021, 1, 1), max_value=date(2060, 12, 31)), st.sampled_from(sorted(REQUIRED_KEYS)))
def test_exactly_one_version_in_force_from_2021(on: date, key: str) -> None:
    if key == "planning_limits" and on < date(2021, 12, 27):
        return
    if key == "planning_min_months_before_retirement" and on < date(2021, 7, 26):
        return
    covering = [v for v in BOOK.versions_of(key) if v.covers(on)]
    assert len(covering) == 1
    assert BOOK.in_force(key, on) == covering[0]
    assert not BOOK.in_force(key, on).covers(on - timedelta(days=100_000))


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_modules_are_framework_free_and_deterministic(module: str) -> None:
    source = (ROOT / module).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute):
            assert node.attr not in {"now", "today", "utcnow"}, f"{module} reads the clock"
    assert not imported & {"sqlalchemy", "fastapi", "temporalio", "pydantic", "httpx", "kafka", "random"}
    assert len(source.splitlines()) < 200
