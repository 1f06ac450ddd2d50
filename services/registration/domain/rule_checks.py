"""The dated rules a registration is checked against by programme category, each finding naming its rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from shared.policy import PolicyVersion

if TYPE_CHECKING:
    from services.registration.domain.checks import Submission

Found = tuple[str, PolicyVersion, str, str]  # code, the version applied, message vi, message en


# rule key → (category prefix it applies to, the check)
CHECKS: dict[str, tuple[str, Callable[[Submission, PolicyVersion, date], list[Found]]]] = {
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
