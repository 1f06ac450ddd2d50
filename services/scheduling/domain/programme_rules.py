"""Programme content fixed by a rule: defence and security groups 1–4 and their periods; knowledge-update groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.policy import PolicyVersion

DEFENCE_PREFIX = "defence_security.group_"
GROUP_NAMES_VI = {"1": "đối tượng 1", "2": "đối tượng 2", "3": "đối tượng 3", "4": "đối tượng 4"}


def defence_group(category: str) -> str | None:
    """The defence and security group a category names ("defence_security.group_2" → "2"), else None."""
    return category.removeprefix(DEFENCE_PREFIX) if category.startswith(DEFENCE_PREFIX) else None


def hours_mismatch(category: str, hours: int, version: PolicyVersion) -> tuple[str, str] | None:
    """(vi, en) when a defence and security programme's hours differ from its group's periods, else None."""
    group = defence_group(category)
    periods: Mapping[str, int] = version.param("periods_by_group")
    if group is None or group not in periods or int(periods[group]) == hours:
        return None
    need = int(periods[group])
    return (f"Chương trình bồi dưỡng kiến thức quốc phòng và an ninh {GROUP_NAMES_VI.get(group, group)} phải có "
            f"{need} tiết theo {version.source.vi} ({version.version_id}), không phải {hours}",
            f"A defence and security programme for group {group} has {need} periods under {version.source.en} "
            f"({version.version_id}), not {hours}")


def standard_programmes(version: PolicyVersion) -> list[dict[str, Any]]:
    """The four groups as programmes: category, periods, and the rule they come from."""
    periods: Mapping[str, int] = version.param("periods_by_group")
    return [{"category": f"{DEFENCE_PREFIX}{g}", "hours": int(n),
             "name": f"Bồi dưỡng kiến thức quốc phòng và an ninh {GROUP_NAMES_VI.get(g, g)}",
             "rule": version.rule_key, "rule_version": version.version_id, "source_vi": version.source.vi,
             "source_en": version.source.en} for g, n in sorted(periods.items())]


def knowledge_group_unknown(category: str, criteria: Mapping[str, Any],
                            version: PolicyVersion) -> tuple[str, str] | None:
    """(vi, en) when a knowledge-update programme names a group the rule in force does not have, else None."""
    wanted = criteria.get("knowledge_update_group")
    groups: Mapping[str, Any] = version.param("groups")
    if category != "knowledge_update" or wanted is None or str(wanted) in groups:
        return None
    known = ", ".join(sorted(groups))
    return (f"Nhóm {wanted} không có trong {version.source.vi} ({version.version_id}); các nhóm: {known}",
            f"Group {wanted} does not exist under {version.source.en} ({version.version_id}); groups: {known}")
