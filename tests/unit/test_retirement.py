"""Retirement age and date (Decree 135/2020) and date helpers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain_errors import DomainValidationError
from shared.policy import load_policy_book
from shared.retirement import (
    BirthDate,
    Gender,
    RetirementRule,
    add_months,
    age_on,
    full_months_between,
    months_before_retirement,
    required_age_months,
    retirement_date,
    retirement_month,
)

POLICY = load_policy_book().in_force("retirement_age", date(2024, 1, 1))
RULE = RetirementRule.from_policy(POLICY)
genders = st.sampled_from([Gender.MALE, Gender.FEMALE])
births = st.builds(
    BirthDate,
    st.integers(min_value=1940, max_value=2010),
    st.one_of(st.none(), st.integers(min_value=1, max_value=12)),
)


def test_worked_example_man_born_january_1961() -> None:
    assert retirement_date(BirthDate(1961, 1), Gender.MALE, POLICY) == date(2021, 4, 30)


def test_worked_example_woman_born_january_1966() -> None:
    assert retirement_date(BirthDate(1966, 1), Gender.FEMALE, POLICY) == date(2021, 5, 31)


MEN_RETIRING_IN_2022 = [BirthDate(1961, m) for m in (10, 11, 12)] + [BirthDate(1962, m) for m in range(1, 7)]


@pytest.mark.parametrize("birth", MEN_RETIRING_IN_2022)
def test_men_born_10_1961_to_06_1962_retire_in_2022(birth: BirthDate) -> None:
    assert retirement_date(birth, Gender.MALE, POLICY).year == 2022


@pytest.mark.parametrize(("birth", "gender", "expected"), [
    (BirthDate(1961, 9), Gender.MALE, date(2021, 12, 31)),
    (BirthDate(1961, 10), Gender.MALE, date(2022, 4, 30)),
    (BirthDate(1962, 6), Gender.MALE, date(2022, 12, 31)),
    (BirthDate(1962, 7), Gender.MALE, date(2023, 4, 30)),
    (BirthDate(1965, 1), Gender.MALE, date(2026, 7, 31)),
    (BirthDate(1970, 3, 17), Gender.MALE, date(2032, 3, 31)),
    (BirthDate(1966, 5), Gender.FEMALE, date(2021, 9, 30)),
    (BirthDate(1966, 9), Gender.FEMALE, date(2022, 5, 31)),
    (BirthDate(1980, 1, 1), Gender.FEMALE, date(2040, 1, 31)),
    (BirthDate(1958, 2, 28), Gender.MALE, date(2018, 2, 28)),
])
def test_retirement_dates(birth: BirthDate, gender: Gender, expected: date) -> None:
    assert retirement_date(birth, gender, POLICY) == expected


def test_only_year_known_means_january() -> None:
    assert retirement_date(BirthDate(1961), Gender.MALE, POLICY) == date(2021, 4, 30)
    assert BirthDate(1961).as_date() == date(1961, 1, 1)


def test_only_month_known_means_day_one() -> None:
    assert BirthDate(1966, 5).as_date() == date(1966, 5, 1)


@pytest.mark.parametrize(("gender", "year", "months"), [
    (Gender.MALE, 2019, 720), (Gender.MALE, 2021, 723), (Gender.MALE, 2022, 726),
    (Gender.MALE, 2028, 744), (Gender.MALE, 2040, 744),
    (Gender.FEMALE, 2020, 660), (Gender.FEMALE, 2021, 664), (Gender.FEMALE, 2034, 716),
    (Gender.FEMALE, 2035, 720), (Gender.FEMALE, 2050, 720),
])
def test_required_age_months(gender: Gender, year: int, months: int) -> None:
    assert required_age_months(gender, year, POLICY) == months
    assert required_age_months(gender.value, year, RULE) == months


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"year": 1980, "day": 3}, "birth_day_without_month"),
    ({"year": 1980, "month": 13}, "birth_month_invalid"),
    ({"year": 1981, "month": 2, "day": 29}, "birth_day_invalid"),
    ({"year": 0}, "birth_year_invalid"),
])
def test_invalid_birth_dates(kwargs: dict[str, int], code: str) -> None:
    with pytest.raises(DomainValidationError) as info:
        BirthDate(**kwargs)
    assert info.value.code == code and info.value.field == "birth"


def test_from_date() -> None:
    assert BirthDate.from_date(date(1980, 2, 29)) == BirthDate(1980, 2, 29)


def test_age_on() -> None:
    birth = BirthDate(1980, 6, 15)
    assert age_on(birth, date(2020, 6, 14)) == 39
    assert age_on(birth, date(2020, 6, 15)) == 40
    assert age_on(BirthDate(1980), date(2020, 1, 1)) == 40
    with pytest.raises(DomainValidationError):
        age_on(birth, date(1980, 6, 14))


def test_months_before_retirement() -> None:
    birth = BirthDate(1967, 2, 10)  # retires 2029-02-28
    assert retirement_date(birth, Gender.MALE, POLICY) == date(2029, 2, 28)
    assert months_before_retirement(birth, Gender.MALE, date(2024, 6, 1), POLICY) == 56
    assert months_before_retirement(birth, Gender.MALE, date(2024, 2, 28), POLICY) == 60
    assert months_before_retirement(birth, Gender.MALE, date(2024, 3, 1), POLICY) == 59
    assert months_before_retirement(birth, Gender.MALE, date(2029, 2, 28), POLICY) == 0
    assert months_before_retirement(birth, Gender.MALE, date(2029, 4, 1), POLICY) == -1


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)


def test_full_months_between() -> None:
    assert full_months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert full_months_between(date(2024, 1, 15), date(2024, 2, 14)) == 0
    assert full_months_between(date(2024, 1, 15), date(2024, 2, 15)) == 1
    assert full_months_between(date(2024, 2, 15), date(2024, 1, 15)) == -1


@given(births, births, genders)
def test_later_birth_never_retires_earlier(a: BirthDate, b: BirthDate, gender: Gender) -> None:
    if a.as_date() <= b.as_date():
        assert retirement_date(a, gender, POLICY) <= retirement_date(b, gender, POLICY)


@given(births, genders)
def test_retirement_month_is_the_first_month_reaching_the_required_age(birth: BirthDate, gender: Gender) -> None:
    year, month = retirement_month(birth, gender, POLICY)
    m = year * 12 + month - 1
    assert m - birth.month_index >= required_age_months(gender, year, POLICY)
    for earlier in range(birth.month_index, m):
        assert earlier - birth.month_index < required_age_months(gender, earlier // 12, POLICY)


@given(births, genders)
def test_retirement_is_a_month_end_within_base_and_cap(birth: BirthDate, gender: Gender) -> None:
    retired = retirement_date(birth, gender, POLICY)
    assert (retired + timedelta(days=1)).day == 1
    base, cap = (60, 62) if gender is Gender.MALE else (55, 60)
    assert base <= age_on(birth, retired) <= cap
    assert months_before_retirement(birth, gender, retired, POLICY) == 0


@given(births)
def test_women_never_retire_after_men_born_the_same_day(birth: BirthDate) -> None:
    assert retirement_date(birth, Gender.FEMALE, POLICY) <= retirement_date(birth, Gender.MALE, POLICY)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2050, 12, 31)),
       st.integers(min_value=-600, max_value=600))
def test_full_months_between_inverts_add_months(start: date, months: int) -> None:
    assert full_months_between(start, add_months(start, months)) == months or start.day > 28
