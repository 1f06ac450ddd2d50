"""The rule for a number a person enters (a mark, a number of days): finite, within its range, on its step.

One function, applied by the portal before it sends a decision (422), by the workflow's Update validator (the
decision is refused, never accepted and failed later) and by the activity that records the number (selection's
``to_mark``); the inbox's input shows the same min, max and step.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

MARK_STEP = 0.1  # marks carry at most one decimal (exam_marking: decimal_places 1)


def parse_number(value: Any, *, minimum: float | Decimal | None = None, maximum: float | Decimal | None = None,
                 step: float | Decimal | None = None) -> Decimal | None:
    """The number as a Decimal, or None when it is not a finite number within [minimum, maximum] on the step."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    if (minimum is not None and number < Decimal(str(minimum))) or (
            maximum is not None and number > Decimal(str(maximum))):
        return None
    if step is not None:
        ratio = number / Decimal(str(step))
        if ratio != ratio.to_integral_value():
            return None
    return number
