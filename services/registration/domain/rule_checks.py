"""The dated rules a registration is checked against by programme category, each finding naming its rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from services.registration.domain.dispatch import unmet_conditions
from services.registration.domain.levels import LEVEL_WORDS, level_word
from services.registration.domain.positions import level_words
from shared.policy import PolicyVersion

if TYPE_CHECKING:
    from services.registration.domain.checks import Submission

Found = tuple[str, PolicyVersion, str, str]  # code, the version applied, message vi, message en
THEORY_LEVELS = ("intermediate", "advanced")  # the levels political_theory_criteria sets standards for


def _postgraduate(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    p = sub.person
    unmet = unmet_conditions(birth=p.birth, service_start=p.service_start, ratings=p.ratings, policy=version, on=on,
                             first_dispatch=not p.dispatched_before)
    if not unmet:
        return []
    return [("postgraduate_dispatch", version,
             f"Chưa đủ điều kiện cử đi đào tạo sau đại học ({version.source.vi}): " + "; ".join(v for v, _ in unmet),
             f"Does not meet the conditions for postgraduate dispatch ({version.source.en}): "
             + "; ".join(e for _, e in unmet))]


def _rank(order: Sequence[str], value: str | None) -> int:
    return order.index(value) if value in order else -1


def _political_theory(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    level = sub.programme_category.rsplit(".", 1)[-1]
    if level not in THEORY_LEVELS:
        return []
    c, p, out = version.param(level), sub.person, []
    if p.position_level not in c["position_levels"] and not (c["planned_counts"] and p.in_planning):
        held_vi, held_en = level_words(p.position_level)
        out.append((f"{held_vi}, đối tượng là {c['who_vi']}", f"{held_en}; the programme is for {c['who_en']}"))
    if c.get("party_member") and not p.party_member:
        out.append(("chưa là đảng viên", "not a party member"))
    for kind, order in (("education", version.param("education_order")),
                        ("political_theory", version.param("theory_order"))):
        need = c.get(f"min_{kind}")
        if need and _rank(order, getattr(p, kind)) < _rank(order, need):
            vi, en = LEVEL_WORDS[kind]
            out.append((f"{vi} {level_word(getattr(p, kind))}, cần từ {level_word(need)} trở lên",
                        f"{en} {getattr(p, kind) or 'none'}, at least {need} required"))
    ratings: Sequence[str] = version.param("rating_order")
    years = range(on.year - int(c["rated_years"]), on.year)
    if any(_rank(ratings, p.ratings.get(y)) < _rank(ratings, c["min_rating"]) for y in years):
        shown = ", ".join(f"{y}: {p.ratings.get(y, '—')}" for y in years)
        out.append((f"chưa đủ {c['rated_years']} năm xếp loại từ hoàn thành tốt nhiệm vụ trở lên ({shown})",
                    f"not {c['rated_years']} years rated {c['min_rating']} or better ({shown})"))
    if not out:
        return []
    return [("political_theory_criteria", version,
             f"Chưa đúng đối tượng, tiêu chuẩn theo {version.source.vi}: " + "; ".join(v for v, _ in out),
             f"Does not meet the standards of {version.source.en}: " + "; ".join(e for _, e in out))]


def _source_cadre(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    p, out = sub.person, []
    if p.position_level not in version.param("position_levels") and not (
            version.param("planned_counts") and p.in_planning):
        held_vi, held_en = level_words(p.position_level)
        out.append((f"{held_vi}, chưa trong quy hoạch; đối tượng là {version.param('who_vi')}",
                    f"{held_en}, not in cadre planning; the class is for {version.param('who_en')}"))
    if version.param("party_member") and not p.party_member:
        out.append(("chưa là đảng viên", "not a party member"))
    for kind, order, need in (("education", version.param("education_order"), version.param("min_education")),
                              ("political_theory", version.param("theory_order"),
                               version.param("min_political_theory"))):
        if _rank(order, getattr(p, kind)) < _rank(order, need):
            vi, en = LEVEL_WORDS[kind]
            out.append((f"{vi} {level_word(getattr(p, kind))}, cần từ {level_word(need)} trở lên",
                        f"{en} {getattr(p, kind) or 'none'}, at least {need} required"))
    if not out:
        return []
    return [("source_cadre_criteria", version,
             f"Chưa đúng đối tượng lớp tạo nguồn theo {version.source.vi}: " + "; ".join(v for v, _ in out),
             f"Not a target of the source-cadre class under {version.source.en}: " + "; ".join(e for _, e in out))]


def _defence_security(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    wanted = sub.programme_category.rsplit("_", 1)[-1]
    level = sub.person.position_level
    group = version.param("group_by_position_level").get(level) if level else None
    if group == wanted:
        return []
    held_vi, held_en = level_words(level)
    why_vi = f"{held_vi}: thuộc đối tượng {group}" if group else f"{held_vi}: không xác định được đối tượng"
    why_en = f"{held_en}: group {group}" if group else f"{held_en}: the group cannot be determined"
    return [("defence_security_group", version,
             f"Chương trình dành cho đối tượng {wanted} theo {version.source.vi}; {why_vi}",
             f"The programme is for group {wanted} under {version.source.en}; {why_en}")]


def _knowledge_update(sub: Submission, version: PolicyVersion, on: date) -> list[Found]:
    groups, level = version.param("groups"), sub.person.position_level
    wanted = str(sub.target_criteria.get("knowledge_update_group") or "") or None
    group = version.param("group_by_position_level").get(level) if level else None
    held_vi, held_en = level_words(level)
    if wanted is not None and wanted not in groups:
        vi = f"nhóm {wanted} của chương trình không có trong quy định (các nhóm: {', '.join(sorted(groups))})"
        en = f"the programme's group {wanted} does not exist under this rule (groups: {', '.join(sorted(groups))})"
    elif group is None:
        vi, en = f"{held_vi}: không thuộc nhóm cán bộ lãnh đạo, quản lý nào", f"{held_en}: in no group of leaders"
    elif wanted is not None and group != wanted:
        vi = f"{held_vi}: thuộc nhóm {group} ({groups[group]['vi']}), chương trình dành cho nhóm {wanted}"
        en = f"{held_en}: group {group} ({groups[group]['en']}), the programme is for group {wanted}"
    else:
        return []
    return [("knowledge_update_group", version, f"Bồi dưỡng cập nhật kiến thức theo {version.source.vi}: {vi}",
             f"Knowledge updating under {version.source.en}: {en}")]


# rule key → (category prefix it applies to, the check)
CHECKS: dict[str, tuple[str, Callable[[Submission, PolicyVersion, date], list[Found]]]] = {
    "postgraduate_dispatch": ("postgraduate.", _postgraduate),
    "political_theory_criteria": ("political_theory.", _political_theory),
    "defence_security_periods": ("defence_security.group_", _defence_security),
    "knowledge_update_groups": ("knowledge_update", _knowledge_update),
    "source_cadre_criteria": ("source_cadre_class", _source_cadre),
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
