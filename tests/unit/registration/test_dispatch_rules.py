"""Postgraduate dispatch by its dated rule: Decree 101/2017 until 30 June 2025, Decree 171/2025 from 1 July 2025."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.registration.domain.dispatch import commitment_months, refund_due, unmet_conditions
from shared.policy import PolicyBook, PolicyDataError, load_policy_book
from shared.retirement import BirthDate

BOOK = load_policy_book()
BEFORE, SWITCH = date(2025, 6, 30), date(2025, 7, 1)
GOOD = {2023: "HTTNV", 2024: "HTXSNV"}


def unmet(birth: BirthDate, on: date, *, start: date = date(2015, 1, 1),
          ratings: dict[int, str] | None = None, first: bool = True) -> list[tuple[str, str]]:
    return unmet_conditions(birth=birth, service_start=start, ratings=GOOD if ratings is None else ratings,
                            policy=BOOK.in_force("postgraduate_dispatch", on), on=on, first_dispatch=first)


def test_the_rule_switches_on_1_july_2025() -> None:
    assert BOOK.in_force("postgraduate_dispatch", BEFORE).version_id == "postgraduate/decree-101-2017"
    assert BOOK.in_force("postgraduate_dispatch", SWITCH).version_id == "postgraduate/decree-171-2025"


def test_age_limit_40_the_day_before_and_45_from_the_switch() -> None:
    born = BirthDate(1984, 6, 30)  # 41 on 30 June 2025
    assert unmet(born, BEFORE)[0][1] == "aged 41 on 2025-06-30, above the maximum age 40 at first dispatch"
    assert unmet(born, SWITCH) == []
    assert unmet(BirthDate(1985, 6, 30), BEFORE) == []  # exactly 40: allowed
    assert unmet(BirthDate(1980, 7, 1), SWITCH) == []  # turns 45 on the switch day: allowed
    assert unmet(BirthDate(1979, 7, 2), SWITCH) == []  # 45 until tomorrow: allowed
    assert unmet(BirthDate(1979, 7, 1), SWITCH)[0][0].startswith("46 tuổi")


def test_age_applies_at_the_first_dispatch_only() -> None:
    assert unmet(BirthDate(1970), SWITCH, first=False) == []


def test_three_years_of_service_exactly() -> None:
    assert unmet(BirthDate(1990), SWITCH, start=date(2022, 7, 1)) == []
    found = unmet(BirthDate(1990), SWITCH, start=date(2022, 7, 2))
    assert found == [("mới có 2 năm 11 tháng công tác, cần ít nhất 3 năm",
                      "2 years 11 months of service, at least 3 years required")]


def test_two_consecutive_years_completed_well_or_better() -> None:
    assert unmet(BirthDate(1990), SWITCH, ratings={2023: "HTTNV", 2024: "HTNV"})[0][1] == (
        "not 2 consecutive years rated HTTNV or better (2023: HTTNV, 2024: HTNV)")
    assert unmet(BirthDate(1990), SWITCH, ratings={2024: "HTXSNV"})  # 2023 missing
    assert unmet(BirthDate(1990), SWITCH, ratings={2022: "KHTNV", 2023: "HTXSNV", 2024: "HTTNV"}) == []


def test_commitment_is_twice_then_three_times_the_training() -> None:
    assert commitment_months(24, BOOK.in_force("postgraduate_dispatch", BEFORE)) == 48
    assert commitment_months(24, BOOK.in_force("postgraduate_dispatch", SWITCH)) == 72


def test_refund_is_pro_rata_and_nothing_once_served() -> None:
    policy = BOOK.in_force("postgraduate_dispatch", BEFORE)
    cost = Decimal(240_000_000)
    assert refund_due(cost=cost, owed_months=48, served_months=12, policy=policy) == Decimal(180_000_000)
    assert refund_due(cost=cost, owed_months=48, served_months=0, policy=policy) == cost
    assert refund_due(cost=cost, owed_months=48, served_months=48, policy=policy) == 0
    assert refund_due(cost=Decimal(100), owed_months=3, served_months=1, policy=policy) == Decimal(66)


def test_an_unknown_refund_formula_is_refused() -> None:
    raw = BOOK.in_force("postgraduate_dispatch", BEFORE).to_dict()
    raw["parameters"]["refund_formula"] = "cost"
    other = PolicyBook.from_documents([{"rule_key": "postgraduate_dispatch", "versions": [raw]}])
    with pytest.raises(PolicyDataError, match="not implemented"):
        refund_due(cost=Decimal(1), owed_months=2, served_months=1,
                   policy=other.in_force("postgraduate_dispatch", BEFORE))
