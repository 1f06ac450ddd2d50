"""Nomination ballot tally (lấy phiếu giới thiệu), in exact rational arithmetic.

A nominee is proposed only with strictly more than `threshold` × base votes, where the base
is the number of voters convened (default) or present. A ballot naming more than `max_names`
people, repeating a name, naming a blank id, or (when a list of eligible nominees is given)
naming someone outside it is invalid and counted separately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from shared.domain_errors import DomainValidationError
from shared.policy import PolicyDataError, PolicyVersion

Base = Literal["convened", "present"]
BASES: tuple[Base, ...] = ("convened", "present")
ThresholdInput = Fraction | Decimal | int | str | float


def to_fraction(value: ThresholdInput) -> Fraction:
    """Exact fraction of a threshold (floats read by their decimal text: 0.1 → 1/10)."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True)
class NominationRule:
    """Threshold and base of a nomination ballot."""

    threshold: Fraction = Fraction(1, 2)
    base: Base = "convened"
    version_id: str | None = None

    @classmethod
    def from_policy(cls, version: PolicyVersion) -> NominationRule:
        """Read the campaign defaults of a `nomination_threshold` version."""
        base = str(version.param("base"))
        if version.param("strictly_more") is not True:
            raise PolicyDataError(f"{version.version_id}: only 'more than the threshold' is implemented")
        if base not in BASES:
            raise ValueError(f"{version.version_id}: unknown base {base!r}")
        return cls(to_fraction(version.param("threshold")), "present" if base == "present" else "convened",
                   version.version_id)


@dataclass(frozen=True)
class NomineeTally:
    """Votes for one nominee, their share of the base, and whether they are proposed."""

    nominee_id: str
    votes: int
    share: Fraction
    percentage: Decimal
    proposed: bool


@dataclass(frozen=True)
class TallyResult:
    """The outcome of a nomination ballot."""

    nominees: tuple[NomineeTally, ...]
    ballots_returned: int
    valid_ballots: int
    invalid_ballots: int
    blank_ballots: int
    convened: int
    present: int
    base: Base
    base_count: int
    threshold: Fraction

    @property
    def proposed_ids(self) -> tuple[str, ...]:
        """Ids of the proposed nominees, most votes first."""
        return tuple(n.nominee_id for n in self.nominees if n.proposed)


def ballot_is_valid(ballot: Sequence[str], *, max_names: int,
                    eligible: Collection[str] | None = None) -> bool:
    """Tell whether a ballot names at most `max_names` distinct, non-blank, eligible people."""
    names = list(ballot)
    if len(names) > max_names or len(set(names)) != len(names):
        return False
    if any(not name.strip() for name in names):
        return False
    return eligible is None or all(name in eligible for name in names)


def _percentage(share: Fraction) -> Decimal:
    """Share as a percentage with two decimals, rounded half up, exactly."""
    hundredths = share * 10000
    rounded = (hundredths.numerator * 2 + hundredths.denominator) // (hundredths.denominator * 2)
    return Decimal(rounded).scaleb(-2)


def _check_counts(*, max_names: int, convened: int, present: int, returned: int, threshold: Fraction) -> None:
    """Reject impossible counts and thresholds."""
    if max_names < 1:
        raise DomainValidationError("tally_max_names", "Số người được giới thiệu tối đa phải ≥ 1",
                                    "The maximum number of names must be at least 1", "max_names")
    if not 0 <= present <= convened:
        raise DomainValidationError("tally_present_exceeds_convened",
                                    f"Số có mặt ({present}) phải từ 0 đến số triệu tập ({convened})",
                                    f"Present ({present}) must be between 0 and convened ({convened})",
                                    "present")
    if returned > present:
        raise DomainValidationError("tally_ballots_exceed_present",
                                    f"Số phiếu thu về ({returned}) nhiều hơn số người có mặt ({present})",
                                    f"Ballots returned ({returned}) exceed voters present ({present})",
                                    "ballots")
    if not 0 <= threshold <= 1:
        raise DomainValidationError("tally_threshold", "Ngưỡng phải nằm trong khoảng 0–1",
                                    "The threshold must be between 0 and 1", "threshold")


def tally_ballots(ballots: Iterable[Sequence[str]], *, max_names: int, convened: int, present: int,
                  threshold: ThresholdInput = Fraction(1, 2), base: Base = "convened",
                  eligible: Collection[str] | None = None) -> TallyResult:
    """Count ballots; a nominee is proposed iff votes > threshold × (convened or present)."""
    raw = list(ballots)
    if any(isinstance(b, str) for b in raw):
        raise TypeError("each ballot must be a sequence of nominee ids, not a string")
    all_ballots = [tuple(b) for b in raw]
    limit = to_fraction(threshold)
    _check_counts(max_names=max_names, convened=convened, present=present,
                  returned=len(all_ballots), threshold=limit)
    if base not in BASES:
        raise DomainValidationError("tally_base", f"Cơ sở tính không hợp lệ: {base}",
                                    f"Unknown base: {base}", "base")
    valid = [b for b in all_ballots if ballot_is_valid(b, max_names=max_names, eligible=eligible)]
    votes: Counter[str] = Counter(name for b in valid for name in b)
    for name in eligible or ():
        votes.setdefault(name, 0)
    base_count = convened if base == "convened" else present
    nominees = []
    for nominee_id, count in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
        share = Fraction(count, base_count) if base_count else Fraction(0)
        nominees.append(NomineeTally(nominee_id=nominee_id, votes=count, share=share,
                                     percentage=_percentage(share), proposed=count > limit * base_count))
    return TallyResult(nominees=tuple(nominees), ballots_returned=len(all_ballots), valid_ballots=len(valid),
                       invalid_ballots=len(all_ballots) - len(valid),
                       blank_ballots=sum(1 for b in valid if not b), convened=convened, present=present,
                       base=base, base_count=base_count, threshold=limit)
