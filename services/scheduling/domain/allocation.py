"""Plan quotas: per-unit allocations of an item may not exceed the item's quota; progress from enrolments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction


def allocation_excess(quota: int, allocations: Mapping[str, int]) -> int:
    """How far the allocations' total exceeds the quota (0 when within it)."""
    return max(0, sum(allocations.values()) - quota)


@dataclass(frozen=True)
class Progress:
    """Planned against actual for an item or a unit."""

    planned: int
    actual: int

    @property
    def ratio(self) -> Fraction | None:
        """Actual over planned (None when nothing was planned)."""
        return Fraction(self.actual, self.planned) if self.planned else None

    @property
    def remaining(self) -> int:
        """Places still to fill (never negative)."""
        return max(0, self.planned - self.actual)


def unit_progress(allocations: Mapping[str, int], actual_by_unit: Mapping[str, int]) -> dict[str, Progress]:
    """Per unit: its allocation against its people actually enrolled (units enrolled without allocation too)."""
    units = set(allocations) | set(actual_by_unit)
    return {u: Progress(allocations.get(u, 0), actual_by_unit.get(u, 0)) for u in sorted(units)}
