"""Overlap, allocation, scoring and status rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.scheduling.domain.allocation import allocation_excess, unit_progress
from services.scheduling.domain.lifecycle import accepts_enrolment, can_transition
from services.scheduling.domain.overlap import Span, first_overlap, overlaps
from services.scheduling.domain.scoring import Criterion, Framework, framework_problems, score

FW = Framework((Criterion("attendance", Decimal("0.2")), Criterion("essay", Decimal("0.3")),
                Criterion("final_exam", Decimal("0.5"))), Decimal(5), Decimal("0.8"))


def test_overlap_names_the_other_class() -> None:
    new = Span("n", "NEW", date(2026, 3, 1), date(2026, 3, 31))
    others = [Span("a", "A", date(2026, 1, 1), date(2026, 2, 28)), Span("b", "B", date(2026, 3, 31), date(2026, 4, 5))]
    assert first_overlap(new, others) == others[1]
    assert first_overlap(new, others[:1]) is None


@given(st.dates(max_value=date(9999, 11, 30)), st.integers(0, 30), st.dates(max_value=date(9999, 11, 30)),
       st.integers(0, 30))
def test_overlap_is_symmetric(a: date, la: int, b: date, lb: int) -> None:
    from datetime import timedelta
    ae, be = a + timedelta(days=la), b + timedelta(days=lb)
    assert overlaps(a, ae, b, be) == overlaps(b, be, a, ae)


def test_allocation_excess() -> None:
    assert allocation_excess(10, {"A": 4, "B": 6}) == 0
    assert allocation_excess(10, {"A": 4, "B": 7}) == 1
    progress = unit_progress({"A": 4}, {"A": 2, "B": 1})
    assert (progress["A"].planned, progress["A"].actual, progress["B"].planned) == (4, 2, 0)


def test_scoring_weights_and_results() -> None:
    passed = score(FW, {"essay": Decimal(8), "final_exam": Decimal(7)}, Decimal(1))
    assert passed.score == Decimal("7.90") and passed.result == "passed"
    failed = score(FW, {"essay": Decimal(2), "final_exam": Decimal(3)}, Decimal("0.9"))
    assert failed.result == "failed"
    assert score(FW, {"essay": Decimal(9)}, Decimal(1)).result == "incomplete"
    assert score(FW, {"essay": Decimal(9), "final_exam": Decimal(9)}, Decimal("0.5")).result == "incomplete"


def test_framework_problems() -> None:
    assert framework_problems([("a", Decimal("0.5")), ("b", Decimal("0.5"))], Decimal(5), Decimal("0.8")) == []
    fields = {p[0] for p in framework_problems([("a", Decimal("0.7"))], Decimal(11), Decimal(2))}
    assert fields == {"evaluation.criteria", "evaluation.pass_mark", "evaluation.min_attendance"}


def test_status_machine() -> None:
    assert can_transition("planned", "enrolling") and can_transition("enrolling", "running")
    assert not can_transition("running", "cancelled") and not can_transition("completed", "running")
    assert accepts_enrolment("enrolling", False) and not accepts_enrolment("enrolling", True)
