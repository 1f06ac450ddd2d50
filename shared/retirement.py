"""Retirement age and date (Labour Code 2019 art. 169, Decree 135/2020), from policy data."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.domain_errors import DomainValidationError
from shared.policy import PolicyVersion


class Gender(StrEnum):
    """Gender as recorded in the officials' database."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class BirthDate:
    """A birth date that may be known only to the year, or to the month and year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DomainValidationError("birth_year_invalid", f"Năm sinh {self.year} không hợp lệ",
                                        f"Birth year {self.year} is invalid", "birth")
        if self.day is not None and self.month is None:
            raise DomainValidationError("birth_day_without_month", "Có ngày sinh nhưng thiếu tháng sinh",
                                        "Birth day given without a birth month", "birth")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DomainValidationError("birth_month_invalid", f"Tháng sinh {self.month} không hợp lệ",
                                        f"Birth month {self.month} is invalid", "birth")
        if self.day is not None and self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DomainValidationError("birth_day_invalid", f"Ngày sinh {self.day} không hợp lệ",
                                            f"Birth day {self.day} is invalid", "birth")

    @classmethod
    def from_date(cls, value: date) -> BirthDate:
        """Wrap a fully known birth date."""
        return cls(value.year, value.month, value.day)

    def as_date(self) -> date:
        """The date used in calculations: unknown month → January, unknown day → the 1st."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def month_index(self) -> int:
        """Months since year 0 of the (defaulted) birth month."""
        return self.year * 12 + (self.month or 1) - 1


@dataclass(frozen=True)
class RetirementRule:
    """Typed parameters of a `retirement_age` policy version."""

    version_id: str
    base_year: int
    men_base_months: int
    men_step_months: int
    men_cap_months: int
    women_base_months: int
    women_step_months: int
    women_cap_months: int

    @classmethod
    def from_policy(cls, version: PolicyVersion) -> RetirementRule:
        """Read the parameters of a `retirement_age` version."""
        names = ("base_year", "men_base_months", "men_step_months", "men_cap_months",
                 "women_base_months", "women_step_months", "women_cap_months")
        values = {name: int(version.param(name)) for name in names}
        return cls(version_id=version.version_id, **values)


def _rule(policy: PolicyVersion | RetirementRule) -> RetirementRule:
    """Accept either a policy version or already-typed parameters."""
    return policy if isinstance(policy, RetirementRule) else RetirementRule.from_policy(policy)


def required_age_months(gender: Gender | str, year: int, policy: PolicyVersion | RetirementRule) -> int:
    """Age in months required to retire in `year` (years up to the base year use the base)."""
    rule = _rule(policy)
    steps = max(0, year - rule.base_year)
    if Gender(gender) is Gender.MALE:
        return min(rule.men_base_months + rule.men_step_months * steps, rule.men_cap_months)
    return min(rule.women_base_months + rule.women_step_months * steps, rule.women_cap_months)


def retirement_month(birth: BirthDate, gender: Gender | str,
                     policy: PolicyVersion | RetirementRule) -> tuple[int, int]:
    """(year, month) of the first month m with months(m) − months(birth) ≥ required(year(m))."""
    rule = _rule(policy)
    born = birth.month_index
    m = born + required_age_months(gender, rule.base_year, rule)  # the smallest requirement
    while m - born < required_age_months(gender, m // 12, rule):
        m += 1
    return m // 12, m % 12 + 1


def last_day_of_month(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def retirement_date(birth: BirthDate, gender: Gender | str, policy: PolicyVersion | RetirementRule) -> date:
    """Retirement takes effect at the end of the retirement month: its last day."""
    return last_day_of_month(*retirement_month(birth, gender, policy))


def add_months(start: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def full_months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (negative when `end` is before `start`)."""
    if end < start:
        return -full_months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def age_on(birth: BirthDate, on: date) -> int:
    """Age in completed years on `on` (unknown month/day default to January / the 1st)."""
    born = birth.as_date()
    if on < born:
        raise DomainValidationError("date_before_birth", f"Ngày {on.isoformat()} trước ngày sinh",
                                    f"Date {on.isoformat()} is before the birth date", "birth")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def months_before_retirement(birth: BirthDate, gender: Gender | str, on: date,
                             policy: PolicyVersion | RetirementRule) -> int:
    """Whole months from `on` to the retirement date (negative once past it)."""
    return full_months_between(on, retirement_date(birth, gender, policy))
