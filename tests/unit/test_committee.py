"""Standing Committee vote."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.selection.domain.committee import (
    CommitteeVote,
    VoteChoice,
    approval_fraction,
    decide,
    validate_vote,
)
from shared.domain_errors import DomainValidationError
from shared.policy import load_policy_book

A, R, X = VoteChoice.APPROVE, VoteChoice.REJECT, VoteChoice.ABSTAIN


def members(n: int) -> list[str]:
    return [f"m{i}" for i in range(n)]


def votes(candidate: str, *choices: VoteChoice) -> list[CommitteeVote]:
    return [CommitteeVote(f"m{i}", candidate, c) for i, c in enumerate(choices)]


def test_approved_with_more_than_half_of_all_members() -> None:
    result = decide(members=members(15), candidates=["c1"], votes=votes("c1", *[A] * 8, R, X))
    decision = result.decisions[0]
    assert decision.approved
    assert (decision.approvals, decision.rejections, decision.abstentions, decision.not_voted) == (8, 1, 1, 5)


def test_majority_of_votes_cast_is_not_enough() -> None:
    result = decide(members=members(15), candidates=["c1"], votes=votes("c1", *[A] * 7, R))
    assert not result.decisions[0].approved
    assert result.approved_ids == ()


def test_exactly_half_is_not_approved() -> None:
    assert not decide(members=members(14), candidates=["c"], votes=votes("c", *[A] * 7)).decisions[0].approved
    assert decide(members=members(14), candidates=["c"], votes=votes("c", *[A] * 8)).decisions[0].approved


def test_several_candidates_keep_list_order() -> None:
    ballot = votes("b", *[A] * 3) + votes("a", *[A] * 2, R)
    result = decide(members=members(5), candidates=["b", "a"], votes=ballot)
    assert [d.candidate_id for d in result.decisions] == ["b", "a"]
    assert result.approved_ids == ("b",)


@pytest.mark.parametrize(("vote", "code"), [
    (CommitteeVote("outsider", "c", A), "committee_vote_non_member"),
    (CommitteeVote("m0", "nobody", A), "committee_vote_unknown_candidate"),
    (CommitteeVote("m0", "c", R), "committee_vote_duplicate"),
])
def test_invalid_votes_are_rejected(vote: CommitteeVote, code: str) -> None:
    with pytest.raises(DomainValidationError) as info:
        decide(members=members(3), candidates=["c"], votes=[CommitteeVote("m0", "c", A), vote])
    assert info.value.code == code


def test_validate_vote_for_workflow_update_validators() -> None:
    cast = [CommitteeVote("m0", "c", A)]
    validate_vote(CommitteeVote("m1", "c", A), members={"m0", "m1"}, candidates={"c"}, already_cast=cast)
    with pytest.raises(DomainValidationError):
        validate_vote(CommitteeVote("m0", "c", X), members={"m0", "m1"}, candidates={"c"}, already_cast=cast)


def test_empty_committee_and_duplicate_candidates() -> None:
    with pytest.raises(DomainValidationError):
        decide(members=[], candidates=["c"], votes=[])
    with pytest.raises(DomainValidationError):
        decide(members=members(3), candidates=["c", "c"], votes=[])


def test_fraction_from_policy() -> None:
    version = load_policy_book().in_force("committee_approval", date(2024, 1, 1))
    assert approval_fraction(version) == Fraction(1, 2)
    result = decide(members=members(9), candidates=["c"], votes=votes("c", *[A] * 5),
                    fraction=approval_fraction(version), version_id=version.version_id)
    assert result.decisions[0].approved and result.version_id == version.version_id


choices = st.lists(st.sampled_from([A, R, X, None]), min_size=1, max_size=21)


@given(choices, st.randoms(use_true_random=False))
def test_approved_iff_approvals_exceed_half_of_members(picks: list[VoteChoice | None], rnd: object) -> None:
    cast = [CommitteeVote(f"m{i}", "c", p) for i, p in enumerate(picks) if p is not None]
    result = decide(members=members(len(picks)), candidates=["c"], votes=cast)
    approvals = picks.count(A)
    assert result.decisions[0].approved == (2 * approvals > len(picks))
    rnd.shuffle(cast)  # type: ignore[attr-defined]
    assert decide(members=members(len(picks)), candidates=["c"], votes=cast) == result
