"""Results by a class's evaluation framework: weighted criteria on a 10-point scale, a pass mark, and a
minimum share of sessions attended. The ``attendance`` criterion, when present, is computed from attendance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ATTENDANCE = "attendance"
SCALE = Decimal(10)
PASSED, FAILED, INCOMPLETE = "passed", "failed", "incomplete"


@dataclass(frozen=True)
class Criterion:
    """One weighted criterion (weight as a share of 1)."""

    name: str
    weight: Decimal


@dataclass(frozen=True)
class Framework:
    """A class's evaluation framework."""

    criteria: tuple[Criterion, ...]
    pass_mark: Decimal = Decimal(5)
    min_attendance: Decimal = Decimal("0.8")

    @property
    def scored(self) -> list[str]:
        """Criteria that staff enter marks for (all but attendance)."""
        return [c.name for c in self.criteria if c.name != ATTENDANCE]


@dataclass(frozen=True)
class Outcome:
    """A participant's result."""

    score: Decimal | None
    result: str


def framework_problems(criteria: Sequence[tuple[str, Decimal]], pass_mark: Decimal,
                       min_attendance: Decimal) -> list[tuple[str, str, str]]:
    """What is wrong with a framework, as (field, English, Vietnamese); empty when valid."""
    problems = []
    names = [n for n, _ in criteria]
    if not criteria:
        problems.append(("evaluation.criteria", "At least one criterion is required", "Cần ít nhất một tiêu chí"))
    if len(set(names)) != len(names):
        problems.append(("evaluation.criteria", "Criterion names must be unique", "Tên tiêu chí bị trùng"))
    if any(w <= 0 for _, w in criteria):
        problems.append(("evaluation.criteria", "Each weight must be above 0", "Trọng số phải lớn hơn 0"))
    if criteria and sum((w for _, w in criteria), Decimal(0)) != Decimal(1):
        problems.append(("evaluation.criteria", "Weights must add up to 1", "Tổng trọng số phải bằng 1"))
    if not Decimal(0) <= pass_mark <= SCALE:
        problems.append(("evaluation.pass_mark", "The pass mark must be between 0 and 10",
                         "Điểm đạt phải từ 0 đến 10"))
    if not Decimal(0) <= min_attendance <= Decimal(1):
        problems.append(("evaluation.min_attendance", "The minimum attendance must be between 0 and 1",
                         "Tỷ lệ chuyên cần tối thiểu phải từ 0 đến 1"))
    return problems


def score(framework: Framework, marks: Mapping[str, Decimal], attendance_ratio: Decimal) -> Outcome:
    """Weighted score (2 decimals, half up) and result: incomplete when marks are missing or attendance is
    below the minimum, failed below the pass mark, passed otherwise."""
    if attendance_ratio < framework.min_attendance or any(n not in marks for n in framework.scored):
        total = None
    else:
        total = sum((c.weight * (attendance_ratio * SCALE if c.name == ATTENDANCE else marks[c.name])
                     for c in framework.criteria), Decimal(0)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if total is None:
        return Outcome(None, INCOMPLETE)
    return Outcome(total, PASSED if total >= framework.pass_mark else FAILED)
