"""Cadre planning by QĐ 50-QĐ/TW, then QĐ 377-QĐ/TW: limits, removal by discipline, the state on a date."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from shared.cadre_planning import (
    active_on,
    apply_discipline,
    in_planning_on,
    limit_violations,
    position_key,
)
from shared.policy import PolicyVersion, load_policy_book

BOOK = load_policy_book()
TODAY = date(2026, 3, 1)


def policy_on(day: date | None) -> PolicyVersion:
    return BOOK.in_force("planning_limits", day or TODAY)


def entry(position: str = "Phó Chủ tịch UBND", term: str = "2025-2030", **kw: Any) -> dict[str, Any]:
    return {"position": position, "term": term, **kw}


def test_the_third_person_for_a_position_is_admitted_the_fourth_refused() -> None:
    key = position_key(entry(), "DONGXOAI")
    assert limit_violations([entry()], unit_code="DONGXOAI", others=Counter({key: 2}), policy_on=policy_on) == []
    [(i, code, vi, en)] = limit_violations([entry()], unit_code="DONGXOAI", others=Counter({key: 3}),
                                           policy_on=policy_on)
    assert (i, code) == (0, "planning_position_full")
    assert "tối đa 3 người theo Quy định 377-QĐ/TW" in vi and "(planning/qd-377-qd-tw-2025)" in en


def test_the_position_is_counted_ignoring_case_and_diacritics_and_per_unit_and_term() -> None:
    assert position_key(entry("phó chủ tịch ubnd"), "X") == position_key(entry("Pho Chu tich UBND"), "X")
    assert position_key(entry(), "X") != position_key(entry(), "Y")
    assert position_key(entry(), "X") != position_key(entry(term="2030-2035"), "X")


def test_at_most_three_positions_at_one_level() -> None:
    three = [entry(f"Chức danh {n}", level="provincial") for n in range(3)]
    assert limit_violations(three, unit_code="U", others=Counter(), policy_on=policy_on) == []
    four = [*three, entry("Chức danh 3", level="provincial")]
    [(i, code, _, _)] = limit_violations(four, unit_code="U", others=Counter(), policy_on=policy_on)
    assert (i, code) == (3, "planning_positions_per_person")
    other_level = [*three, entry("Chức danh 3", level="commune")]
    assert limit_violations(other_level, unit_code="U", others=Counter(), policy_on=policy_on) == []


def test_the_rule_applied_is_the_one_in_force_on_the_approval_date() -> None:
    key = position_key(entry(), "U")
    for approved, version in ((date(2025, 10, 7), "planning/qd-50-qd-tw-2021"),
                              (date(2025, 10, 8), "planning/qd-377-qd-tw-2025")):
        [(_, _, _, en)] = limit_violations([entry(approved_on=approved.isoformat())], unit_code="U",
                                           others=Counter({key: 3}), policy_on=policy_on)
        assert f"({version})" in en


def test_a_reprimand_in_the_term_removes_the_person_for_the_term() -> None:
    [removed] = apply_discipline([entry()], [(date(2026, 2, 10), "reprimand")], policy_on)
    assert removed["removed_on"] == "2026-02-10" and removed["removal_rule_version"] == "planning/qd-377-qd-tw-2025"
    assert removed["removed_reason_vi"].startswith("Bị kỷ luật khiển trách ngày 10/02/2026")
    assert active_on(removed, date(2026, 2, 9)) and not active_on(removed, date(2026, 2, 10))
    assert not in_planning_on([removed], date(2029, 12, 31))  # the whole term, not 12 months


def test_discipline_outside_the_term_or_unknown_does_not_remove() -> None:
    kept = apply_discipline([entry()], [(date(2024, 12, 31), "dismissal"), (date(2026, 1, 1), "note")], policy_on)
    assert "removed_on" not in kept[0]
    [warned] = apply_discipline([entry()], [(date(2025, 10, 7), "warning")], policy_on)
    assert warned["removal_rule_version"] == "planning/qd-50-qd-tw-2021"


def test_planning_state_on_a_date() -> None:
    e = entry(approved_on="2026-01-15")
    assert not active_on(e, date(2026, 1, 14)) and active_on(e, date(2026, 1, 15))
    assert not active_on(e, date(2031, 1, 1))
