"""Ranking exam results and filling seats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.selection.domain.ranking import (
    ExamScore,
    RankGroup,
    apply_head_decision,
    rank_candidates,
    select_for_seats,
    unresolved_ties,
)
from shared.domain_errors import DomainValidationError


def score(cid: str, total: str, specialised: str = "50", essay: str = "50") -> ExamScore:
    return ExamScore(cid, Decimal(total), Decimal(specialised), Decimal(essay))


def test_ranks_by_total_descending() -> None:
    ranking = rank_candidates([score("b", "70"), score("a", "80.5"), score("c", "65")])
    assert [(g.rank, g.candidate_ids) for g in ranking] == [(1, ("a",)), (2, ("b",)), (3, ("c",))]


def test_equal_totals_broken_by_specialised_then_essay() -> None:
    ranking = rank_candidates([
        score("x", "75", specialised="60", essay="90"),
        score("y", "75", specialised="70", essay="10"),
        score("z", "75", specialised="60", essay="95"),
    ])
    assert [g.candidate_ids for g in ranking] == [("y",), ("z",), ("x",)]
    assert not unresolved_ties(ranking)


def test_unresolved_tie_shares_a_rank_and_needs_the_head() -> None:
    ranking = rank_candidates([score("d", "90"), score("b", "80"), score("a", "80"), score("c", "70")])
    assert ranking == (
        RankGroup(1, ("d",)), RankGroup(2, ("a", "b")), RankGroup(4, ("c",)),
    )
    assert unresolved_ties(ranking) == (RankGroup(2, ("a", "b")),)
    assert ranking[1].tied


def test_head_decision_splits_the_tie() -> None:
    ranking = rank_candidates([score("d", "90"), score("b", "80"), score("a", "80"), score("c", "70")])
    decided = apply_head_decision(ranking, rank=2, order=["b", "a"])
    assert decided == (RankGroup(1, ("d",)), RankGroup(2, ("b",)), RankGroup(3, ("a",)), RankGroup(4, ("c",)))
    with pytest.raises(DomainValidationError):
        apply_head_decision(ranking, rank=2, order=["b", "c"])
    with pytest.raises(DomainValidationError):
        apply_head_decision(ranking, rank=3, order=["a"])


def test_duplicate_candidate_rejected() -> None:
    with pytest.raises(DomainValidationError):
        rank_candidates([score("a", "1"), score("a", "2")])


def test_seats_filled_in_rank_order() -> None:
    ranking = rank_candidates([score(c, t) for c, t in [("a", "90"), ("b", "80"), ("c", "70")]])
    selection = select_for_seats(ranking, 2)
    assert (selection.selected, selection.tie_at_cutoff, selection.complete) == (("a", "b"), None, True)


def test_tie_straddling_the_last_seat_is_reported() -> None:
    ranking = rank_candidates([score("a", "90"), score("b", "80"), score("c", "80"), score("d", "80")])
    selection = select_for_seats(ranking, 3)
    assert selection.selected == ("a",)
    assert selection.tie_at_cutoff == RankGroup(2, ("b", "c", "d"))
    assert selection.open_seats == 2 and not selection.complete


def test_tie_that_fits_is_selected_whole() -> None:
    ranking = rank_candidates([score("a", "90"), score("b", "80"), score("c", "80"), score("d", "70")])
    assert select_for_seats(ranking, 3).selected == ("a", "b", "c")


def test_more_seats_than_candidates_and_zero_seats() -> None:
    ranking = rank_candidates([score("a", "90"), score("b", "80")])
    assert select_for_seats(ranking, 5).selected == ("a", "b")
    assert select_for_seats(ranking, 0).selected == ()
    with pytest.raises(DomainValidationError):
        select_for_seats(ranking, -1)


small = st.sampled_from([Decimal(v) for v in ("50", "60", "70")])
score_lists = st.lists(st.tuples(small, small, small), max_size=12).map(
    lambda rows: [ExamScore(f"c{i}", *row) for i, row in enumerate(rows)]
)


@given(score_lists, st.randoms(use_true_random=False))
def test_ranking_is_order_invariant_and_complete(scores: list[ExamScore], rnd: object) -> None:
    shuffled = list(scores)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    ranking = rank_candidates(scores)
    assert ranking == rank_candidates(shuffled)
    flat = [cid for g in ranking for cid in g.candidate_ids]
    assert sorted(flat) == sorted(s.candidate_id for s in scores)
    position = 1
    for group in ranking:
        assert group.rank == position
        position += len(group.candidate_ids)


@given(score_lists, st.integers(min_value=0, max_value=14))
def test_selection_respects_seats_and_merit(scores: list[ExamScore], seats: int) -> None:
    by_id = {s.candidate_id: s.merit for s in scores}
    selection = select_for_seats(rank_candidates(scores), seats)
    assert len(selection.selected) <= seats
    if selection.complete:
        assert len(selection.selected) == min(seats, len(scores))
    else:
        assert selection.tie_at_cutoff is not None
        assert 0 < selection.open_seats < len(selection.tie_at_cutoff.candidate_ids)
        assert len(selection.selected) + selection.open_seats == seats
    rest = [cid for cid in by_id if cid not in selection.selected]
    for chosen in selection.selected:
        assert all(by_id[chosen] > by_id[other] for other in rest)
