"""Pre-screening (sơ tuyển): evaluate an official against a target group's criteria, with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from shared.domain_errors import DomainValidationError
from shared.policy import PolicyBook
from shared.retirement import (
    BirthDate,
    Gender,
    age_on,
    full_months_between,
    months_before_retirement,
)

POLITICAL_THEORY_ORDER = ("none", "elementary", "intermediate", "advanced")
EDUCATION_ORDER = ("none", "secondary", "college", "bachelor", "master", "doctorate")
RATING_ORDER = ("KHTNV", "HTNV", "HTTNV", "HTXSNV")
LABELS_VI = {
    "none": "chưa có", "elementary": "sơ cấp", "intermediate": "trung cấp", "advanced": "cao cấp",
    "secondary": "trung học", "college": "cao đẳng", "bachelor": "đại học", "master": "thạc sĩ",
    "doctorate": "tiến sĩ", "reprimand": "khiển trách", "warning": "cảnh cáo",
    "salary_downgrade": "hạ bậc lương", "demotion": "giáng chức", "dismissal": "cách chức",
}


@dataclass(frozen=True, kw_only=True)
class OfficialRecord:
    """What pre-screening needs to know about an official."""

    official_id: str
    full_name: str
    gender: Gender
    birth: BirthDate
    unit_code: str
    political_theory: str
    education: str
    ratings: dict[int, str] = field(default_factory=dict)
    in_planning: bool = False
    service_start: date | None
    discipline: list[tuple[date, str]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class GroupCriteria:
    """A target group's criteria; None / 0 / False switches a criterion off."""

    # ratings: the `rating_years` calendar years before the reference date's year, each ≥ min_rating

    max_age: int | None = None
    min_political_theory: str | None = None
    min_education: str | None = None
    rating_years: int = 0
    min_rating: str = "HTNV"
    require_in_planning: bool = False
    min_service_years: int | None = None
    require_term_before_retirement: bool = True
    check_discipline: bool = True


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome with a bilingual explanation that quotes the numbers."""

    code: str
    passed: bool
    explanation_vi: str
    explanation_en: str
    rule_version: str | None = None  # the policy version applied; None for a campaign's own criterion


@dataclass(frozen=True)
class EligibilityResult:
    """All criteria for one official; eligible iff every criterion passed."""

    official_id: str
    criteria: tuple[CriterionResult, ...]
    policy_versions: tuple[str, ...]
    evaluated_on: date | None = None

    @property
    def eligible(self) -> bool:
        """True when every criterion passed."""
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        """The criteria that were not met."""
        return tuple(c for c in self.criteria if not c.passed)


def level_rank(value: str, order: Sequence[str], *, field_name: str) -> int:
    """Position of a level in its order, or a DomainValidationError for an unknown level."""
    if value not in order:
        raise DomainValidationError("unknown_level", f"Giá trị không hợp lệ: {value}",
                                    f"Unknown value {value!r}; expected one of {', '.join(order)}", field_name)
    return order.index(value)


def _vi_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _min_level(code: str, name_vi: str, name_en: str, have: str, need: str, order: Sequence[str]) -> CriterionResult:
    ok = level_rank(have, order, field_name=code) >= level_rank(need, order, field_name=code)
    return CriterionResult(code, ok, f"{name_vi} {LABELS_VI[have]}, cần từ {LABELS_VI[need]} trở lên",
                           f"{name_en} {have}, at least {need} required")


def _ratings(record: OfficialRecord, c: GroupCriteria, on: date) -> CriterionResult:
    years = range(on.year - c.rating_years, on.year)
    need = level_rank(c.min_rating, RATING_ORDER, field_name="min_rating")
    short = [y for y in years  # a missing year counts as not meeting the criterion
             if y not in record.ratings or level_rank(record.ratings[y], RATING_ORDER, field_name="ratings") < need]
    shown = ", ".join(f"{y}: {record.ratings.get(y, '—')}" for y in years)
    return CriterionResult("ratings", not short,
                           f"Xếp loại {c.rating_years} năm gần nhất ({shown}), cần từ {c.min_rating} trở lên",
                           f"ratings of the last {c.rating_years} years ({shown}), at least {c.min_rating} required")


def _discipline(record: OfficialRecord, book: PolicyBook, on: date, used: list[str]) -> CriterionResult:
    policy = book.in_force("discipline_exclusion", on)
    used.append(policy.version_id)
    levels: Sequence[str] = policy.param("levels")
    lookback = policy.param("lookback_months")
    floor = level_rank(str(policy.param("min_level")), levels, field_name="discipline")
    active = [(d, lvl) for d, lvl in sorted(record.discipline)
              if level_rank(lvl, levels, field_name="discipline") >= floor
              and d <= on and full_months_between(d, on) < int(lookback[lvl])]
    if not active:
        return CriterionResult("discipline", True, "Không có kỷ luật còn trong thời hạn ảnh hưởng",
                               "no disciplinary sanction within its exclusion period", policy.version_id)
    d, lvl = active[-1]
    months = int(lookback[lvl])
    return CriterionResult("discipline", False,
                           f"Bị kỷ luật {LABELS_VI[lvl]} ngày {_vi_date(d)}, chưa qua {months} tháng",
                           f"{lvl} on {d.isoformat()}, less than {months} months ago", policy.version_id)


def _term(record: OfficialRecord, book: PolicyBook, on: date, used: list[str]) -> CriterionResult:
    retirement = book.in_force("retirement_age", on)
    minimum = book.in_force("planning_min_months_before_retirement", on)
    used.extend([retirement.version_id, minimum.version_id])
    left = months_before_retirement(record.birth, record.gender, on, retirement)
    need = int(minimum.param("min_months"))
    return CriterionResult("months_before_retirement", left >= need,
                           f"{left} tháng trước tuổi nghỉ hưu, cần ít nhất {need}",
                           f"{left} months before retirement age, at least {need} required", minimum.version_id)


def evaluate_eligibility(*, record: OfficialRecord, criteria: GroupCriteria, book: PolicyBook,
                         reference_date: date, proposal_date: date | None = None) -> EligibilityResult:
    """Check every enabled criterion on `reference_date` (months to retirement on `proposal_date`)."""
    c, on = criteria, reference_date
    used: list[str] = []
    results: list[CriterionResult] = []
    if c.max_age is not None:
        age = age_on(record.birth, on)
        results.append(CriterionResult("max_age", age <= c.max_age,
                                       f"{age} tuổi tại ngày {_vi_date(on)}, tối đa {c.max_age}",
                                       f"aged {age} on {on.isoformat()}, at most {c.max_age}"))
    if c.min_political_theory is not None:
        results.append(_min_level("min_political_theory", "Lý luận chính trị", "political theory",
                                  record.political_theory, c.min_political_theory, POLITICAL_THEORY_ORDER))
    if c.min_education is not None:
        results.append(_min_level("min_education", "Trình độ chuyên môn", "education",
                                  record.education, c.min_education, EDUCATION_ORDER))
    if c.rating_years > 0:
        results.append(_ratings(record, c, on))
    if c.require_in_planning:
        results.append(CriterionResult(
            "in_planning", record.in_planning,
            "Đang trong quy hoạch" if record.in_planning else "Chưa trong quy hoạch, yêu cầu phải trong quy hoạch",
            "in planning" if record.in_planning else "not in planning, planning required"))
    if c.min_service_years is not None and record.service_start is None:
        results.append(CriterionResult("min_service_years", False,
                                       "Chưa có ngày bắt đầu công tác trong hồ sơ, không tính được số năm công tác",
                                       "no service start date on record: years of service unknown"))
    elif c.min_service_years is not None and record.service_start is not None:
        years = max(0, full_months_between(record.service_start, on) // 12)
        results.append(CriterionResult("min_service_years", years >= c.min_service_years,
                                       f"{years} năm công tác, cần ít nhất {c.min_service_years}",
                                       f"{years} years of service, at least {c.min_service_years} required"))
    if c.require_term_before_retirement:
        results.append(_term(record, book, proposal_date or on, used))
    if c.check_discipline:
        results.append(_discipline(record, book, on, used))
    return EligibilityResult(record.official_id, tuple(results), tuple(dict.fromkeys(used)), on)
