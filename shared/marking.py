"""Exam marking: combining independent marks, escalation bands, weighted totals (Decimal only).

Marks are on a 0–scale (100) with at most one decimal. With spread = highest − lowest:
spread ≤ 5 → the mean rounded half up to one decimal; 5 < spread < 10 → the head of
marking decides; spread ≥ 10 → the council chair decides (bands from `exam_marking`).
A paper in two handwritings or two ink colours scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.domain_errors import DomainValidationError
from shared.number_rules import MARK_STEP, parse_number
from shared.policy import PolicyDataError, PolicyVersion

MarkInput = Decimal | int | str
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class MarkingBands:
    """Marking parameters of an `exam_marking` policy version."""

    resolve_max_spread: Decimal = Decimal(5)
    council_chair_min_spread: Decimal = Decimal(10)
    pass_mark: Decimal = Decimal(50)
    scale: Decimal = Decimal(100)
    min_markers: int = 2
    version_id: str | None = None

    @classmethod
    def from_policy(cls, version: PolicyVersion) -> MarkingBands:
        """Read the bands of an `exam_marking` version (marks carry one decimal: the only precision implemented)."""
        if int(version.param("decimal_places")) != 1:
            raise PolicyDataError(f"{version.version_id}: only marks with one decimal are implemented")
        return cls(resolve_max_spread=Decimal(str(version.param("resolve_max_spread"))),
                   council_chair_min_spread=Decimal(str(version.param("council_chair_min_spread"))),
                   pass_mark=Decimal(str(version.param("pass_mark"))),
                   scale=Decimal(str(version.param("scale"))),
                   min_markers=int(version.param("min_markers")), version_id=version.version_id)


@dataclass(frozen=True)
class Resolved:
    """A final mark: the mean of close marks, a zeroed paper, or a head/chair decision."""

    score: Decimal
    marks: tuple[Decimal, ...]
    spread: Decimal
    decided_by: str = "mean"  # "mean" | "irregular_paper" | "marking_head" | "council_chair"


@dataclass(frozen=True)
class NeedsMarkingHead:
    """Spread above the resolve band and below the chair band: the head of marking decides."""

    marks: tuple[Decimal, ...]
    spread: Decimal


@dataclass(frozen=True)
class NeedsCouncilChair:
    """Spread at or above the chair band: escalate to the council chair."""

    marks: tuple[Decimal, ...]
    spread: Decimal


MarkOutcome = Resolved | NeedsMarkingHead | NeedsCouncilChair


def round_half_up(value: Decimal, quantum: Decimal = ONE_DECIMAL) -> Decimal:
    """Round with ROUND_HALF_UP to `quantum` (one decimal by default)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def to_mark(value: MarkInput, *, scale: Decimal = Decimal(100), field: str = "mark") -> Decimal:
    """Parse a mark: a number from 0 to `scale` with at most one decimal (floats refused)."""
    if isinstance(value, bool | float):
        raise TypeError("marks must be Decimal, int or str, not float or bool")
    mark = parse_number(value, minimum=0, maximum=scale, step=MARK_STEP)
    if mark is None:
        raise DomainValidationError("mark_invalid",
                                    f"Điểm {value} không hợp lệ (0–{scale}, tối đa một chữ số thập phân)",
                                    f"Mark {value} is invalid (0–{scale}, at most one decimal)", field)
    return mark


def combine_marks(marks: Sequence[MarkInput], *, bands: MarkingBands = MarkingBands(),
                  two_handwritings_or_inks: bool = False) -> MarkOutcome:
    """Combine independent markers' marks into a result or an escalation."""
    parsed = tuple(to_mark(m, scale=bands.scale) for m in marks)
    spread = max(parsed) - min(parsed) if parsed else Decimal(0)
    if two_handwritings_or_inks:
        return Resolved(score=Decimal(0), marks=parsed, spread=spread, decided_by="irregular_paper")
    if len(parsed) < bands.min_markers:
        raise DomainValidationError("marks_too_few",
                                    f"Cần ít nhất {bands.min_markers} giám khảo chấm độc lập",
                                    f"At least {bands.min_markers} independent marks are required", "marks")
    if spread <= bands.resolve_max_spread:
        mean = sum(parsed, Decimal(0)) / len(parsed)
        return Resolved(score=round_half_up(mean), marks=parsed, spread=spread)
    if spread < bands.council_chair_min_spread:
        return NeedsMarkingHead(marks=parsed, spread=spread)
    return NeedsCouncilChair(marks=parsed, spread=spread)


def record_decision(outcome: NeedsMarkingHead | NeedsCouncilChair, *, score: MarkInput,
                    bands: MarkingBands = MarkingBands()) -> Resolved:
    """Resolve an escalated paper with the mark decided by the head of marking or the chair."""
    decided_by = "marking_head" if isinstance(outcome, NeedsMarkingHead) else "council_chair"
    return Resolved(score=to_mark(score, scale=bands.scale, field="score"), marks=outcome.marks,
                    spread=outcome.spread, decided_by=decided_by)


def weighted_total(components: Mapping[str, MarkInput], weights: Mapping[str, MarkInput], *,
                   scale: Decimal = Decimal(100)) -> Decimal:
    """Exact weighted total of component marks; weights must cover the same components and sum to 1."""
    if set(components) != set(weights):
        raise DomainValidationError("weights_components_mismatch",
                                    "Trọng số và các phần thi không khớp nhau",
                                    "Weights and exam components do not match", "weights")
    parsed_weights = {name: Decimal(w) for name, w in weights.items()}
    if any(w < 0 for w in parsed_weights.values()) or sum(parsed_weights.values(), Decimal(0)) != 1:
        raise DomainValidationError("weights_sum", "Các trọng số phải không âm và có tổng bằng 1",
                                    "Weights must be non-negative and sum to 1", "weights")
    return sum((to_mark(components[name], scale=scale, field=name) * w
                for name, w in parsed_weights.items()), Decimal(0))


@dataclass(frozen=True)
class ExamTotal:
    """A candidate's weighted total and whether it reaches the pass mark."""

    total: Decimal
    passed: bool


def score_exam(*, components: Mapping[str, MarkInput], weights: Mapping[str, MarkInput],
               bands: MarkingBands = MarkingBands()) -> ExamTotal:
    """Weighted total (not rounded, so 49.95 fails) and pass iff total ≥ pass mark."""
    total = weighted_total(components, weights, scale=bands.scale)
    return ExamTotal(total=total, passed=total >= bands.pass_mark)


def bands_of(plan_bands: dict[str, str]) -> MarkingBands:
    """MarkingBands from the plan's strings."""
    return MarkingBands(resolve_max_spread=Decimal(plan_bands["resolve_max_spread"]),
                        council_chair_min_spread=Decimal(plan_bands["council_chair_min_spread"]),
                        pass_mark=Decimal(plan_bands["pass_mark"]), scale=Decimal(plan_bands["scale"]),
                        version_id=plan_bands.get("version_id"))
