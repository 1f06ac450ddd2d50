"""The dated rules a registration is checked against by programme category, each finding naming its rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from services.registration.domain.dispatch import unmet_conditions
from shared.policy import PolicyVersion

if TYPE_CHECKING:
    from services.registration.domain.checks import Submission

Found = tuple[str, PolicyVersion, str, str]  # code, the version applied, message vi, message en


def _postgraduate(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    p = sub.person
    unmet = unmet_conditions(birth=p.birth, service_start=p.service_start, ratings=p.ratings, policy=version, on=on)
    if not unmet:
        return []
    return [("postgraduate_dispatch", version,
             f"Chưa đủ điều kiện cử đi đào tạo sau đại học ({version.source.vi}): " + "; ".join(v for v, _ in unmet),
             f"Does not meet the conditions for postgraduate dispatch ({version.source.en}): "
             + "; ".join(e for _, e in unmet))]


# rule key → (category prefix it applies to, the check)
CHECKS: dict[str, tuple[str, Callable[[Submission, PolicyVersion, date], list[Found]]]] = {
    "postgraduate_dispatch": ("postgraduate.", _postgraduate),
}


def rules_for(category: str) -> tuple[str, ...]:
    """The rule keys whose version in force on the rule date a registration for `category` needs."""
    return tuple(key for key, (prefix, _) in CHECKS.items() if category.startswith(prefix))


def category_rule_findings(sub: Submission, rules: Mapping[str, PolicyVersion], on: date) -> list[Found]:
    """Run each dated rule of the programme's category with the version given for it."""
    out: list[Found] = []
    for key in rules_for(sub.programme_category):
        if key in rules:
            out.extend(CHECKS[key][1](sub, rules[key], on))
    return out
