"""Nomination ballot tally."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.selection.domain.tally import (
    NominationRule,
    ballot_is_valid,
    tally_ballots,
    to_fraction,
)
from shared.domain_errors import DomainValidationError
from shared.policy import load_policy_book


def votes_of(result: object, nominee: str) -> tuple[int, bool]:
    found = [n for n in result.nominees if n.nominee_id == nominee]  # type: ignore[attr-defined]
    return found[0].votes, found[0].proposed


def test_more_than_half_of_convened_not_of_ballots_returned() -> None:
    ballots = [["a", "b"]] * 5 + [["a"]] + [["b", "c"]] * 2
    result = tally_ballots(ballots, max_names=2, convened=12, present=8)
    assert votes_of(result, "a") == (6, False)  # 6 of 12 convened is not MORE than half
    assert votes_of(result, "b") == (7, True)
    assert votes_of(result, "c") == (2, False)
    assert result.proposed_ids == ("b",)
    assert result.base_count == 12


def test_base_present_is_a_campaign_setting() -> None:
    ballots = [["a"]] * 5 + [[]] * 3
    result = tally_ballots(ballots, max_names=1, convened=12, present=8, base="present")
    assert votes_of(result, "a") == (5, True)  # 5 > 4
    assert result.blank_ballots == 3 and result.valid_ballots == 8


def test_exactly_half_is_not_enough() -> None:
    result = tally_ballots([["a"]] * 5, max_names=1, convened=10, present=10)
    assert votes_of(result, "a") == (5, False)


def test_invalid_ballots_are_counted_separately_and_ignored() -> None:
    ballots = [["a", "b", "c"], ["a", "a"], ["a", " "], ["a"], ["x"]]
    result = tally_ballots(ballots, max_names=2, convened=5, present=5, eligible={"a", "b"})
    assert (result.invalid_ballots, result.valid_ballots, result.ballots_returned) == (4, 1, 5)
    assert [(n.nominee_id, n.votes) for n in result.nominees] == [("a", 1), ("b", 0)]


def test_ballot_validity_rules() -> None:
    assert ballot_is_valid(["a", "b"], max_names=2)
    assert ballot_is_valid([], max_names=2)
    assert not ballot_is_valid(["a", "b", "c"], max_names=2)
    assert not ballot_is_valid(["a", "a"], max_names=2)
    assert not ballot_is_valid(["z"], max_names=2, eligible={"a"})


def test_percentage_of_base_is_exact_and_rounded_half_up() -> None:
    result = tally_ballots([["a"], ["a"], ["b"]] + [[]] * 5, max_names=1, convened=8, present=8)
    shares = {n.nominee_id: (n.share, n.percentage) for n in result.nominees}
    assert shares["a"] == (Fraction(1, 4), Decimal("25.00"))
    assert shares["b"] == (Fraction(1, 8), Decimal("12.50"))
    thirds = tally_ballots([["a"], ["a"], ["b"]], max_names=1, convened=3, present=3)
    assert [n.percentage for n in thirds.nominees] == [Decimal("66.67"), Decimal("33.33")]


def test_threshold_inputs_are_exact() -> None:
    assert to_fraction(0.1) == Fraction(1, 10)
    assert to_fraction("0.5") == Fraction(1, 2)
    assert to_fraction(Decimal("0.6")) == Fraction(3, 5)
    result = tally_ballots([["a"]] * 6, max_names=1, convened=10, present=10, threshold=0.6)
    assert votes_of(result, "a") == (6, False)


def test_rule_from_policy() -> None:
    rule = NominationRule.from_policy(load_policy_book().in_force("nomination_threshold", date(2023, 6, 1)))
    assert rule == NominationRule(Fraction(1, 2), "convened", "nomination/party-personnel-procedure")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"max_names": 1, "convened": 5, "present": 6}, "tally_present_exceeds_convened"),
    ({"max_names": 1, "convened": 5, "present": 1}, "tally_ballots_exceed_present"),
    ({"max_names": 0, "convened": 5, "present": 5}, "tally_max_names"),
    ({"max_names": 1, "convened": 5, "present": 5, "threshold": "1.5"}, "tally_threshold"),
    ({"max_names": 1, "convened": 5, "present": 5, "base": "cast"}, "tally_base"),
])
def test_impossible_inputs_are_rejected(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(DomainValidationError) as info:
        tally_ballots([["a"], ["b"]], **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code


def test_a_string_is_not_a_ballot() -> None:
    with pytest.raises(TypeError):
        tally_ballots(["abc"], max_names=3, convened=1, present=1)


names = st.sampled_from(["a", "b", "c", "d", "e"])
ballot_lists = st.lists(st.lists(names, max_size=4), max_size=30)
thresholds = st.fractions(min_value=0, max_value=1, max_denominator=20)


@given(ballot_lists, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10),
       thresholds, st.sampled_from(["convened", "present"]), st.integers(min_value=1, max_value=3))
def test_proposed_iff_votes_exceed_threshold_times_base(
    ballots: list[list[str]], extra_present: int, extra_convened: int, threshold: Fraction,
    base: str, k: int,
) -> None:
    present = len(ballots) + extra_present
    convened = present + extra_convened
    result = tally_ballots(ballots, max_names=k, convened=convened, present=present,
                           threshold=threshold, base=base)  # type: ignore[arg-type]
    base_count = convened if base == "convened" else present
    for n in result.nominees:
        assert n.proposed == (n.votes * 1 > threshold * base_count)
        assert n.votes == sum(1 for b in ballots if n.nominee_id in b and ballot_is_valid(b, max_names=k))
    assert result.valid_ballots + result.invalid_ballots == len(ballots)
    assert sum(n.votes for n in result.nominees) <= k * result.valid_ballots


@given(ballot_lists, st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(ballots: list[list[str]], rnd: object) -> None:
    shuffled = list(ballots)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    count = len(ballots)
    assert tally_ballots(ballots, max_names=2, convened=count, present=count) == tally_ballots(
        shuffled, max_names=2, convened=count, present=count)
