"""Management authority (phân cấp quản lý cán bộ): which body manages an official, by the rule that applies.

Pure rule on one version of `management_authority` (policy data, `shared/policy_data/management_authority.json`):
its rules are tried in order and the first whose conditions the official meets names the managing body; a
condition left empty matches everyone, and the last rule must match everyone. The caller chooses the version in
force on the rule date; the answer carries the rule's id, its words and the version, for the dossier and the audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.policy import PolicyDataError, PolicyVersion
from shared.vietnamese import fold


@dataclass(frozen=True)
class Official:
    """What the rules look at: the official's category, position level and title."""

    category: str
    position_level: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Authority:
    """The managing body, its approver roles, and the rule that named it (id, words, version, date)."""

    body: str
    body_vi: str
    body_en: str
    approver_roles: tuple[str, ...]
    rule_id: str
    rule_vi: str
    rule_en: str
    version_id: str
    evaluated_on: date
    source_vi: str
    source_en: str

    @property
    def reason_vi(self) -> str:
        """Which rule applied, in Vietnamese words (for the dossier and the audit)."""
        return f"Thuộc diện {self.body_vi} quản lý: {self.rule_vi} (theo {self.source_vi})"

    @property
    def reason_en(self) -> str:
        """Which rule applied, in English words."""
        return f"Managed by {self.body_en}: {self.rule_en} (under {self.source_en})"


def _matches(rule: Mapping[str, Any], who: Official) -> bool:
    categories: Sequence[str] = rule.get("categories") or ()
    levels: Sequence[str] = rule.get("position_levels") or ()
    titles: Sequence[str] = rule.get("titles") or ()
    if categories and who.category not in categories:
        return False
    if levels and who.position_level not in levels:
        return False
    return not titles or any(fold(t) in fold(who.title or "") for t in titles)


def _checked(version: PolicyVersion) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
    bodies: Mapping[str, Any] = version.param("bodies")
    rules: Sequence[Mapping[str, Any]] = version.param("rules")
    if not rules:
        raise PolicyDataError(f"{version.version_id}: no management-authority rules")
    for rule in rules:
        if rule.get("body") not in bodies:
            raise PolicyDataError(f"{version.version_id}: rule {rule.get('id')!r} names an unknown body "
                                  f"{rule.get('body')!r}")
    last = rules[-1]
    if last.get("categories") or last.get("position_levels") or last.get("titles"):
        raise PolicyDataError(f"{version.version_id}: the last rule ({last.get('id')!r}) must match everyone")
    for code, body in bodies.items():
        if not body.get("approver_roles"):
            raise PolicyDataError(f"{version.version_id}: body {code!r} names no approver roles")
    return bodies, rules


def managing_authority(who: Official, version: PolicyVersion, on: date) -> Authority:
    """The body that manages the official under this version, by the first rule that matches."""
    bodies, rules = _checked(version)
    rule = next(r for r in rules if _matches(r, who))
    body = bodies[rule["body"]]
    return Authority(body=str(rule["body"]), body_vi=str(body["vi"]), body_en=str(body["en"]),
                     approver_roles=tuple(str(r) for r in body["approver_roles"]), rule_id=str(rule["id"]),
                     rule_vi=str(rule["vi"]), rule_en=str(rule["en"]), version_id=version.version_id,
                     evaluated_on=on, source_vi=version.source.vi, source_en=version.source.en)

