"""Cadre planning (quy hoạch) under QĐ 50-QĐ/TW, then QĐ 377-QĐ/TW: limits, removal by discipline, state on a date.

A planning entry is a dict as stored on the official: position, term ("2025-2030"), optional level, unit_code,
approved_on, and — once discipline removes it — removed_on with the reason and the rule version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from shared.policy import PolicyVersion
from shared.vietnamese import fold

Entry = Mapping[str, Any]
LEVEL_VI = {"reprimand": "khiển trách", "warning": "cảnh cáo", "salary_downgrade": "hạ bậc lương",
            "demotion": "giáng chức", "dismissal": "cách chức"}


def term_years(term: str) -> tuple[int, int] | None:
    """The first and last year of a term written "2025-2030" (None when it is not two years)."""
    parts = term.replace("–", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        return None
    first, last = int(parts[0]), int(parts[1])
    return (first, last) if first <= last else None


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) else date.fromisoformat(str(value)) if value else None


def in_term(entry: Entry, on: date) -> bool:
    """Whether `on` falls in the entry's term (an unreadable term counts as in force)."""
    years = term_years(str(entry.get("term", "")))
    return years is None or years[0] <= on.year <= years[1]


def active_on(entry: Entry, on: date) -> bool:
    """Planned on `on`: approved by then, within the term, not removed on or before it."""
    approved, removed = _day(entry.get("approved_on")), _day(entry.get("removed_on"))
    return (approved is None or approved <= on) and in_term(entry, on) and (removed is None or removed > on)


def in_planning_on(entries: Iterable[Entry], on: date) -> bool:
    """Whether any entry is active on `on`."""
    return any(active_on(e, on) for e in entries)


def position_key(entry: Entry, unit_code: str) -> tuple[str, str, str]:
    """The position an entry plans for: (unit, position ignoring case and diacritics, term)."""
    return (str(entry.get("unit_code") or unit_code), fold(str(entry["position"])), str(entry["term"]))


def apply_discipline(entries: Sequence[Entry], discipline: Iterable[tuple[date, str]],
                     policy_on: Callable[[date], PolicyVersion]) -> list[dict[str, Any]]:
    """Entries with removals: a sanction of the rule's minimum level or heavier in a term removes it for the term.

    `policy_on(day)` returns the planning_limits version in force on the sanction's date.
    """
    out: list[dict[str, Any]] = []
    ordered = sorted(discipline)
    for raw in entries:
        entry = {k: v for k, v in raw.items() if not k.startswith("removed")}
        for day, level in ordered:
            policy = policy_on(day)
            order: Sequence[str] = policy.param("discipline_order")
            floor = order.index(str(policy.param("removal_min_discipline")))
            approved = _day(entry.get("approved_on"))
            if level in order and order.index(level) >= floor and in_term(entry, day) and (
                    approved is None or approved <= day):
                entry.update(removed_on=day.isoformat(), removal_rule_version=policy.version_id,
                             removed_reason_vi=f"Bị kỷ luật {LEVEL_VI.get(level, level)} ngày "
                                               f"{day.strftime('%d/%m/%Y')}: đưa ra khỏi quy hoạch nhiệm kỳ "
                                               f"{entry['term']} ({policy.source.vi})",
                             removed_reason_en=f"{level} on {day.isoformat()}: removed from planning for the "
                                               f"{entry['term']} term ({policy.source.en})")
                break
        out.append(entry)
    return out


def limit_violations(entries: Sequence[Entry], *, unit_code: str, others: Counter[tuple[str, str, str]],
                     policy_on: Callable[[date | None], PolicyVersion]) -> list[tuple[int, str, str, str]]:
    """(index, code, vi, en) for each entry over a limit; `others` counts other people per position key."""
    out: list[tuple[int, str, str, str]] = []
    per_level: Counter[tuple[str, str]] = Counter()
    for i, entry in enumerate(entries):
        if entry.get("removed_on"):
            continue
        policy = policy_on(_day(entry.get("approved_on")))
        cite = f"{policy.source.vi} ({policy.version_id})", f"{policy.source.en} ({policy.version_id})"
        most_people, most_positions = int(policy.param("max_people_per_position")), int(
            policy.param("max_positions_per_person"))
        taken = others[position_key(entry, unit_code)]
        if taken >= most_people:
            out.append((i, "planning_position_full",
                        f"Chức danh {entry['position']} nhiệm kỳ {entry['term']} đã có {taken} người được quy hoạch,"
                        f" tối đa {most_people} người theo {cite[0]}",
                        f"{taken} people are already planned for {entry['position']} ({entry['term']}); at most "
                        f"{most_people} under {cite[1]}"))
        level = str(entry.get("level") or "-")
        per_level[(level, str(entry["term"]))] += 1
        if per_level[(level, str(entry["term"]))] > most_positions:
            out.append((i, "planning_positions_per_person",
                        f"Một người chỉ được quy hoạch tối đa {most_positions} chức danh ở một cấp trong nhiệm kỳ "
                        f"{entry['term']}, theo {cite[0]}",
                        f"one person may be planned for at most {most_positions} positions at one level in the "
                        f"{entry['term']} term, under {cite[1]}"))
    return out


def structure(people: Sequence[tuple[int, str]], policy: PolicyVersion) -> dict[str, Any]:
    """The young and women shares of the people in planning, (age, gender) each, against the rule's targets."""
    below = int(policy.param("young_age_below"))
    counts = {"young": sum(1 for age, _ in people if age < below), "women": sum(1 for _, g in people if g == "female")}
    targets = {"young": float(policy.param("young_share_target")), "women": float(policy.param("women_share_target"))}
    out: dict[str, Any] = {"planned": len(people), "young_age_below": below, "rule_version": policy.version_id,
                           "source_vi": policy.source.vi, "source_en": policy.source.en}
    for name, n in counts.items():
        share = n / len(people) if people else 0.0
        out[name] = {"count": n, "share": round(share, 4), "target": targets[name], "met": share >= targets[name]}
    return out
