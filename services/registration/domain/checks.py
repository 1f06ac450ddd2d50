"""The checks run on a training-need registration at submission: pure rules, findings in vi + en."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.registration.domain.levels import CATEGORY_WORDS, LEVEL_WORDS, level_word
from services.registration.domain.rule_checks import category_rule_findings
from shared.policy import PolicyVersion, RuleApplied
from shared.retirement import BirthDate, age_on, full_months_between

EDUCATION_LEVELS = ("college", "bachelor", "master", "doctorate")
THEORY_LEVELS = ("none", "elementary", "intermediate", "advanced")
LEVELS = {"education": EDUCATION_LEVELS, "political_theory": THEORY_LEVELS}
SEVERITY_OUTCOME = {"error": "refused", "warning": "flagged"}


@dataclass(frozen=True)
class Finding:
    """One check's result: a stable code, its severity, a message in Vietnamese and English, and its rule."""

    code: str
    severity: str  # error | warning | info
    message_vi: str
    message_en: str
    rule: RuleApplied | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"code": self.code, "severity": self.severity, "message_vi": self.message_vi,
               "message_en": self.message_en}
        return {**out, **self.rule.as_dict()} if self.rule else out


@dataclass(frozen=True)
class Person:
    """What the checks need to know about the official."""

    birth: BirthDate
    gender: str
    category: str
    position: str | None = None
    title: str | None = None
    education: str | None = None
    political_theory: str = "none"
    party_member: bool = False
    in_planning: bool = False
    service_start: date | None = None
    ratings: Mapping[int, str] = field(default_factory=dict)
    position_level: str | None = None
    dispatched_before: bool = False  # already dispatched to postgraduate education: the age limit is for the first


@dataclass(frozen=True)
class Booking:
    """Another registration or enrolment of the same person (dates known when a class is chosen)."""

    ref: str
    programme_code: str
    plan_year: int | None
    start: date | None
    end: date | None
    kind: str = "registration"  # registration | enrolment


@dataclass(frozen=True)
class Submission:
    """Everything a submission is checked against."""

    person: Person
    unit_code: str
    programme_code: str
    programme_category: str
    plan_year: int
    target_criteria: Mapping[str, Any] = field(default_factory=dict)
    class_start: date | None = None
    class_end: date | None = None
    others: Sequence[Booking] = ()
    unit_allocation: int | None = None  # None: the programme is not in the year's plan for the unit
    unit_active_count: int = 0  # the unit's active registrations for the programme and year


def _rank(kind: str, value: str | None) -> int:
    levels = LEVELS[kind]
    return levels.index(value) if value in levels else -1


def criteria_for(sub: Submission, policy: PolicyVersion) -> dict[str, Any]:
    """The category's default criteria (policy data), overridden key by key by the programme's own."""
    defaults = dict(policy.param("criteria_by_category").get(sub.programme_category, {}))
    defaults.update(sub.target_criteria)
    return defaults


def _eligibility(sub: Submission, criteria: Mapping[str, Any], on: date) -> list[tuple[str, str]]:
    """Unmet criteria as (vi, en) messages."""
    p, out = sub.person, []
    age = age_on(p.birth, on)
    if "categories" in criteria and p.category not in criteria["categories"]:
        held = CATEGORY_WORDS.get(p.category, p.category)
        out.append((f"ngạch/đối tượng {held} không thuộc đối tượng của chương trình",
                    f"category {p.category} is not a target of the programme"))
    for kind in ("education", "political_theory"):
        need = criteria.get(f"min_{kind}")
        if need and _rank(kind, getattr(p, kind)) < _rank(kind, need):
            out.append((f"{LEVEL_WORDS[kind][0]} chưa đạt {level_word(need)}", f"{kind} below {need}"))
        ceiling = criteria.get(f"max_{kind}")
        if ceiling and _rank(kind, getattr(p, kind)) > _rank(kind, ceiling):
            out.append((f"{LEVEL_WORDS[kind][0]} đã vượt {level_word(ceiling)}", f"{kind} above {ceiling}"))
    if "min_age" in criteria and age < int(criteria["min_age"]):
        out.append((f"chưa đủ {criteria['min_age']} tuổi", f"younger than {criteria['min_age']}"))
    if "max_age" in criteria and age > int(criteria["max_age"]):
        out.append((f"quá {criteria['max_age']} tuổi", f"older than {criteria['max_age']}"))
    if criteria.get("party_member") and not p.party_member:
        out.append(("chưa là đảng viên", "not a party member"))
    if criteria.get("in_planning") and not p.in_planning:
        out.append(("chưa trong quy hoạch", "not in cadre planning"))
    if "genders" in criteria and p.gender not in criteria["genders"]:
        out.append(("giới tính không thuộc đối tượng", "gender is not a target"))
    if "min_service_years" in criteria:
        months = full_months_between(p.service_start, on) if p.service_start else 0
        if months < 12 * int(criteria["min_service_years"]):
            out.append((f"chưa đủ {criteria['min_service_years']} năm công tác",
                        f"fewer than {criteria['min_service_years']} years of service"))
    for key, label_vi in (("positions", "chức vụ"), ("titles", "chức danh")):
        wanted = criteria.get(key)
        held = getattr(p, key[:-1]) or ""
        if wanted and not any(str(w).casefold() in held.casefold() for w in wanted):
            out.append((f"{label_vi} không thuộc đối tượng của chương trình", f"{key[:-1]} is not a target"))
    return out


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def check_submission(sub: Submission, policy: PolicyVersion, *, on: date,
                     rules: Mapping[str, PolicyVersion] | None = None) -> list[Finding]:
    """Run every check on the rule date `on`; severities from `policy`, dated rules from `rules` (key → version)."""
    severity: Mapping[str, str] = policy.param("severity")
    findings: list[Finding] = []
    stamp = policy.applied_on(on)

    def add(code: str, vi: str, en: str, rule: RuleApplied = stamp) -> None:
        findings.append(Finding(code, severity.get(code, "warning"), vi, en, rule))

    unmet = _eligibility(sub, criteria_for(sub, policy), on)
    if unmet:
        add("eligibility", "Không đúng đối tượng của chương trình: " + "; ".join(vi for vi, _ in unmet),
            "Not eligible for the programme: " + "; ".join(en for _, en in unmet))
    for code, version, vi, en in category_rule_findings(sub, rules or {}, on):
        add(code, vi, en, version.applied_on(on))
    same = [b for b in sub.others if b.kind == "registration" and b.programme_code == sub.programme_code
            and b.plan_year == sub.plan_year]
    if same:
        add("duplicate_programme_year",
            f"Đã đăng ký chương trình {sub.programme_code} năm {sub.plan_year}",
            f"Already registered for programme {sub.programme_code} in {sub.plan_year}")
    grants = dict(policy.param("grants_by_category").get(sub.programme_category, {}))
    grants.update(sub.target_criteria.get("grants", {}))
    for kind, level in grants.items():
        if kind in LEVELS and _rank(kind, getattr(sub.person, kind)) >= _rank(kind, level):
            add("already_holds_level", f"Đã có {LEVEL_WORDS[kind][0]} {level_word(getattr(sub.person, kind))} "
                f"(từ {level_word(level)} trở lên)",
                f"Already holds {kind} {getattr(sub.person, kind)} (≥ {level})")
    if sub.class_start and sub.class_end:
        clash = [b for b in sub.others if b.start and b.end
                 and _overlaps(sub.class_start, sub.class_end, b.start, b.end)]
        if clash:
            refs = ", ".join(sorted(b.ref for b in clash))
            add("time_overlap", f"Trùng thời gian với lớp đã đăng ký hoặc đã ghi danh: {refs}",
                f"Overlaps in time with a class already registered or enrolled: {refs}")
    if sub.unit_allocation is None:
        add("not_in_plan", f"Chương trình {sub.programme_code} không có chỉ tiêu cho đơn vị năm {sub.plan_year}",
            f"Programme {sub.programme_code} has no quota for the unit in {sub.plan_year}")
    elif sub.unit_active_count + 1 > sub.unit_allocation:
        add("quota_exceeded",
            f"Vượt chỉ tiêu của đơn vị ({sub.unit_active_count + 1}/{sub.unit_allocation})",
            f"Exceeds the unit's quota ({sub.unit_active_count + 1}/{sub.unit_allocation})")
    return findings


def outcome_of(findings: Sequence[Finding]) -> str:
    """accepted (no finding needing attention), flagged (a warning) or refused (an error)."""
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "refused"
    if "warning" in severities:
        return "flagged"
    return "accepted"
