"""Ranking exam results and selecting for a number of seats (Decree 170/2025 art. 10).

Candidates are ordered by total, then the higher specialised-subject score, then the higher
written (essay) score. Candidates still equal on all three form one tied group that the
head of the council must order; a tied group straddling the last seat is reported as a
tie at the cut-off instead of being cut arbitrarily. Callers pass only candidates who passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from shared.domain_errors import DomainValidationError


@dataclass(frozen=True)
class ExamScore:
    """The scores ranking needs for one candidate."""

    candidate_id: str
    total: Decimal
    specialised: Decimal
    essay: Decimal

    @property
    def merit(self) -> tuple[Decimal, Decimal, Decimal]:
        """The ranking key, best highest: (total, specialised, essay)."""
        return self.total, self.specialised, self.essay


@dataclass(frozen=True)
class RankGroup:
    """Candidates sharing one rank; more than one means a tie for the head to decide."""

    rank: int
    candidate_ids: tuple[str, ...]

    @property
    def tied(self) -> bool:
        """True when the tie-break rules could not separate these candidates."""
        return len(self.candidate_ids) > 1


def rank_candidates(scores: Iterable[ExamScore]) -> tuple[RankGroup, ...]:
    """Rank by total, specialised score, essay score (all descending); equal ones share a rank."""
    ordered = sorted(scores, key=lambda s: (tuple(-x for x in s.merit), s.candidate_id))
    ids = [s.candidate_id for s in ordered]
    if len(set(ids)) != len(ids):
        raise DomainValidationError("ranking_duplicate_candidate", "Một thí sinh xuất hiện nhiều lần",
                                    "A candidate appears more than once", "candidate_id")
    groups: list[RankGroup] = []
    position = 1
    for _, members in groupby(ordered, key=lambda s: s.merit):
        group = tuple(s.candidate_id for s in members)
        groups.append(RankGroup(rank=position, candidate_ids=group))
        position += len(group)
    return tuple(groups)


def unresolved_ties(ranking: Sequence[RankGroup]) -> tuple[RankGroup, ...]:
    """The tied groups that need the head's decision."""
    return tuple(g for g in ranking if g.tied)


def apply_head_decision(ranking: Sequence[RankGroup], *, rank: int, order: Sequence[str]) -> tuple[RankGroup, ...]:
    """Split the tied group at `rank` into single ranks in the order the head decided."""
    result: list[RankGroup] = []
    found = False
    for group in ranking:
        if group.rank != rank:
            result.append(group)
            continue
        if sorted(order) != sorted(group.candidate_ids):
            raise DomainValidationError("head_decision_mismatch",
                                        "Thứ tự quyết định phải gồm đúng các thí sinh bằng điểm",
                                        "The decided order must list exactly the tied candidates", "order")
        found = True
        result.extend(RankGroup(rank=rank + i, candidate_ids=(cid,)) for i, cid in enumerate(order))
    if not found:
        raise DomainValidationError("head_decision_no_group", f"Không có nhóm xếp hạng {rank}",
                                    f"No ranked group at rank {rank}", "rank")
    return tuple(result)


@dataclass(frozen=True)
class SeatSelection:
    """Who is selected for the seats, and any tie at the cut-off left for the head."""

    selected: tuple[str, ...]
    tie_at_cutoff: RankGroup | None
    open_seats: int  # seats left for the tied group (0 when there is no tie at the cut-off)

    @property
    def complete(self) -> bool:
        """True when every seat is decided (no tie straddles the last seat)."""
        return self.tie_at_cutoff is None


def select_for_seats(ranked: Sequence[RankGroup], seats: int) -> SeatSelection:
    """Fill `seats` in rank order; a tied group that does not fit entirely is reported, not cut."""
    if seats < 0:
        raise DomainValidationError("seats_negative", "Số chỉ tiêu không được âm",
                                    "The number of seats cannot be negative", "seats")
    selected: list[str] = []
    for group in ranked:
        room = seats - len(selected)
        if room <= 0:
            break
        if len(group.candidate_ids) <= room:
            selected.extend(group.candidate_ids)
            continue
        return SeatSelection(selected=tuple(selected), tie_at_cutoff=group, open_seats=room)
    return SeatSelection(selected=tuple(selected), tie_at_cutoff=None, open_seats=0)
