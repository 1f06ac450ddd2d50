"""Combining markers' marks, escalation bands and weighted totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain_errors import DomainValidationError
from shared.marking import (
    MarkingBands,
    NeedsCouncilChair,
    NeedsMarkingHead,
    Resolved,
    combine_marks,
    record_decision,
    round_half_up,
    score_exam,
    to_mark,
    weighted_total,
)
from shared.policy import load_policy_book

D = Decimal


def test_close_marks_resolve_to_the_mean() -> None:
    outcome = combine_marks(["70", "73"])
    assert outcome == Resolved(score=D("71.5"), marks=(D(70), D(73)), spread=D(3))


def test_spread_of_exactly_5_still_resolves() -> None:
    outcome = combine_marks([70, 75])
    assert isinstance(outcome, Resolved) and outcome.score == D("72.5")


def test_mean_is_rounded_half_up_to_one_decimal() -> None:
    assert combine_marks(["70.2", "70.3"]) == Resolved(D("70.3"), (D("70.2"), D("70.3")), D("0.1"))
    assert combine_marks(["70", "71", "71"]).score == D("70.7")  # type: ignore[union-attr]


@pytest.mark.parametrize(("marks", "kind"), [
    (["70", "75.1"], NeedsMarkingHead),
    (["70", "79.9"], NeedsMarkingHead),
    (["70", "80"], NeedsCouncilChair),
    (["40", "90", "60"], NeedsCouncilChair),
])
def test_wide_spreads_escalate(marks: list[str], kind: type) -> None:
    outcome = combine_marks(marks)
    assert isinstance(outcome, kind)


def test_two_handwritings_or_inks_scores_zero() -> None:
    outcome = combine_marks(["85", "86"], two_handwritings_or_inks=True)
    assert isinstance(outcome, Resolved)
    assert (outcome.score, outcome.decided_by) == (D(0), "irregular_paper")
    assert combine_marks([], two_handwritings_or_inks=True).score == D(0)  # type: ignore[union-attr]


def test_head_and_chair_decisions() -> None:
    head = combine_marks(["60", "67"])
    assert isinstance(head, NeedsMarkingHead)
    assert record_decision(head, score="64.5") == Resolved(D("64.5"), head.marks, D(7), "marking_head")
    chair = combine_marks(["50", "70"])
    assert isinstance(chair, NeedsCouncilChair)
    assert record_decision(chair, score=62).decided_by == "council_chair"
    with pytest.raises(DomainValidationError):
        record_decision(chair, score="101")


@pytest.mark.parametrize("bad", ["100.1", "-1", "70.25", "abc", "NaN", "Infinity"])
def test_invalid_marks(bad: str) -> None:
    with pytest.raises(DomainValidationError) as info:
        to_mark(bad)
    assert info.value.code == "mark_invalid"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        to_mark(70.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_mark(True)


def test_at_least_two_markers() -> None:
    with pytest.raises(DomainValidationError) as info:
        combine_marks(["70"])
    assert info.value.code == "marks_too_few"


def test_bands_from_policy_match_the_rules() -> None:
    book = load_policy_book()
    for on in (date(2024, 1, 1), date(2025, 8, 1)):
        bands = MarkingBands.from_policy(book.in_force("exam_marking", on))
        assert (bands.resolve_max_spread, bands.council_chair_min_spread) == (D(5), D(10))
        assert (bands.pass_mark, bands.scale, bands.min_markers) == (D(50), D(100), 2)
        assert bands.version_id is not None


def test_weighted_total_and_pass_mark() -> None:
    result = score_exam(components={"essay": "60", "interview": "40"}, weights={"essay": "0.6", "interview": "0.4"})
    assert (result.total, result.passed) == (D("52.00"), True)


def test_total_is_not_rounded_before_the_pass_check() -> None:
    result = score_exam(components={"essay": "49.9", "interview": "50"}, weights={"essay": "0.5", "interview": "0.5"})
    assert (result.total, result.passed) == (D("49.95"), False)
    assert score_exam(components={"essay": "50", "interview": "50"},
                      weights={"essay": "0.5", "interview": "0.5"}).passed


def test_weights_must_match_and_sum_to_one() -> None:
    with pytest.raises(DomainValidationError) as info:
        weighted_total({"essay": "60"}, {"essay": "0.5", "interview": "0.5"})
    assert info.value.code == "weights_components_mismatch"
    with pytest.raises(DomainValidationError) as info:
        weighted_total({"essay": "60", "interview": "70"}, {"essay": "0.5", "interview": "0.6"})
    assert info.value.code == "weights_sum"


def test_round_half_up() -> None:
    assert round_half_up(D("0.05")) == D("0.1")
    assert round_half_up(D("2.25")) == D("2.3")


marks = st.decimals(min_value=0, max_value=100, places=1)


@given(st.lists(marks, min_size=2, max_size=5))
def test_outcome_follows_the_spread_bands(values: list[Decimal]) -> None:
    outcome = combine_marks(values)
    spread = max(values) - min(values)
    assert outcome.spread == spread
    if spread <= 5:
        assert isinstance(outcome, Resolved)
        assert min(values) <= outcome.score <= max(values)
        assert outcome.score == round_half_up(sum(values, D(0)) / len(values))
    elif spread < 10:
        assert isinstance(outcome, NeedsMarkingHead)
    else:
        assert isinstance(outcome, NeedsCouncilChair)


@given(st.lists(marks, min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_marker_order_does_not_change_the_result(values: list[Decimal], rnd: object) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = combine_marks(values), combine_marks(shuffled)
    assert type(a) is type(b) and a.spread == b.spread
    if isinstance(a, Resolved) and isinstance(b, Resolved):
        assert a.score == b.score


@given(marks, marks, st.integers(min_value=0, max_value=10))
def test_weighted_total_lies_between_components(essay: Decimal, interview: Decimal, tenths: int) -> None:
    w = D(tenths) / 10
    total = weighted_total({"essay": essay, "interview": interview}, {"essay": w, "interview": 1 - w})
    assert min(essay, interview) <= total <= max(essay, interview)
    assert score_exam(components={"essay": essay, "interview": interview},
                      weights={"essay": w, "interview": 1 - w}).passed == (total >= 50)
