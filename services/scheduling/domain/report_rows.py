"""The annual report's rows, computed from individual records (classes, enrolments, plan items, decisions).

Pure: handed facts read from scheduling's tables and from the other services' APIs; no I/O. Each class counts in
one row: a class implementing a plan of the provincial People's Committee (plan number or title naming
UBND / Ủy ban nhân dân) goes to the political school's row for that plan, any other class to the row of its
programme's category (glossary code names). A class counts in the year of the plan it implements, or, outside any
plan, in the year it ends (domain.training_year); cancelled (and merged-away) classes do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.vietnamese import fold

COUNTED = frozenset({"enrolled", "completed"})
PEOPLES_COMMITTEE_MARKERS = ("ubnd", "uy ban nhan dan")
PC_ROW = "political_school_for_provincial_people_committee"

LABELS_VI: dict[str, str] = {
    "source_cadre_selection_134_KH_TU": "Tuyển chọn, bồi dưỡng tạo nguồn cán bộ lãnh đạo, quản lý tỉnh "
                                        "(Kế hoạch 134-KH/TU)",
    "political_theory_advanced": "Cao cấp lý luận chính trị (theo kế hoạch Ban Tổ chức Trung ương)",
    "political_theory_intermediate": "Trung cấp lý luận chính trị (Trường Chính trị tỉnh, Trung tâm chính trị "
                                     "cấp huyện)",
    "postgraduate": "Đào tạo sau đại học",
    "abroad": "Bồi dưỡng ở nước ngoài (Ban Tổ chức Trung ương, Bộ Nội vụ)",
    "by_leadership_title": "Bồi dưỡng theo chức danh",
    "defense_security": "Bồi dưỡng kiến thức quốc phòng và an ninh",
    "knowledge_update_164_QD_TW": "Bồi dưỡng, cập nhật kiến thức theo Quy định 164-QĐ/TW",
    "professional_skills": "Bồi dưỡng, tập huấn chuyên môn, nghiệp vụ",
    PC_ROW: "Trường Chính trị tỉnh phối hợp mở lớp theo kế hoạch của UBND tỉnh",
    "title_planning_party_mass_org_defense_security": "Bồi dưỡng theo chức danh, cán bộ quy hoạch nguồn cấp ủy, "
                                                      "nghiệp vụ xây dựng Đảng, đoàn thể, kiến thức quốc phòng và "
                                                      "an ninh",
}
LABELS_EN: dict[str, str] = {
    "source_cadre_selection_134_KH_TU": "Source-cadre selection and training (Plan 134-KH/TU)",
    "political_theory_advanced": "Advanced political theory",
    "political_theory_intermediate": "Intermediate political theory",
    "postgraduate": "Postgraduate education",
    "abroad": "Training abroad",
    "by_leadership_title": "Training by leadership title",
    "defense_security": "Defence and security knowledge",
    "knowledge_update_164_QD_TW": "Knowledge update (Regulation 164-QĐ/TW)",
    "professional_skills": "Professional skills training",
    PC_ROW: "Provincial political school classes under the People's Committee plan",
    "title_planning_party_mass_org_defense_security": "Title, planning, party and mass-organisation work, defence "
                                                      "and security",
}
# category (glossary code) → report row
CATEGORY_ROW: dict[str, str] = {
    "political_theory.advanced": "political_theory_advanced",
    "political_theory.intermediate": "political_theory_intermediate",
    "postgraduate.master": "postgraduate",
    "postgraduate.doctorate": "postgraduate",
    "training_abroad": "abroad",
    "leadership_title": "by_leadership_title",
    "defence_security.group_1": "defense_security",
    "defence_security.group_2": "defense_security",
    "defence_security.group_3": "defense_security",
    "defence_security.group_4": "defense_security",
    "knowledge_update": "knowledge_update_164_QD_TW",
    "professional_skills": "professional_skills",
    "source_cadre_class": "source_cadre_selection_134_KH_TU",
}
NEXT_YEAR_TRAINING = ("leadership_title", "defence_security.", "professional_skills")


@dataclass(frozen=True)
class ClassFact:
    """A class as the report sees it."""

    class_id: str
    code: str
    category: str
    mode: str
    year: int
    status: str
    plan_number: str | None = None
    plan_title: str | None = None
    programme_code: str = ""
    people: tuple[str, ...] = ()  # official ids of counted enrolments (enrolled or completed)


@dataclass(frozen=True)
class PlanItemFact:
    """A plan item with its programme's category and mode."""

    plan_number: str
    year: int
    programme_code: str
    programme_name: str
    category: str
    mode: str
    quota: int
    priority_fields: tuple[str, ...] = ()


@dataclass
class Selection:
    """What the Standing Committee selected per group (from selection's API)."""

    selected: dict[str, int] = field(default_factory=dict)
    source: str = "selection"


def for_peoples_committee(number: str | None, title: str | None) -> bool:
    """Whether a plan is the provincial People's Committee's (its number or title names it)."""
    text = fold(f"{number or ''} {title or ''}")
    return any(m in text for m in PEOPLES_COMMITTEE_MARKERS)


def row_of(c: ClassFact) -> str | None:
    """The report row a class counts in (None: a category the article does not report)."""
    if for_peoples_committee(c.plan_number, c.plan_title):
        return PC_ROW
    return CATEGORY_ROW.get(c.category)


def group_key(code: str) -> str:
    """A campaign group code (G1, NHOM_1, group_1 …) as the report's key ``group_<n>``."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return f"group_{int(digits)}" if digits else fold(code).replace(" ", "_")


def _persons(classes: Iterable[ClassFact]) -> int:
    return len({p for c in classes for p in c.people})


def _places(classes: Iterable[ClassFact]) -> int:
    return sum(len(c.people) for c in classes)


def actual(classes: Sequence[ClassFact], selection: Selection, year: int) -> dict[str, dict[str, Any]]:
    """The year's actual rows (the keys of the figures file's ``actual_<year>``)."""
    counted = [c for c in classes if c.year == year and c.status != "cancelled"]
    rows: dict[str, list[ClassFact]] = {}
    for c in counted:
        row = row_of(c)
        if row:
            rows.setdefault(row, [])
            rows[row].append(c)

    def of(row: str, prefix: str | None = None) -> list[ClassFact]:
        return [c for c in rows.get(row, []) if prefix is None or c.category.startswith(prefix)]

    def lab(key: str) -> dict[str, Any]:
        return {"label_vi": LABELS_VI[key], "label_en": LABELS_EN[key]}

    src = of("source_cadre_selection_134_KH_TU")
    selected = {k: selection.selected[k] for k in sorted(selection.selected)}
    return {
        "source_cadre_selection_134_KH_TU": {**lab("source_cadre_selection_134_KH_TU"), "selected": selected,
                                             "classes": len(src), "students": _places(src)},
        "political_theory_advanced": {**lab("political_theory_advanced"),
                                      "persons_sent": _persons(of("political_theory_advanced"))},
        "political_theory_intermediate": {**lab("political_theory_intermediate"),
                                          "classes": len(of("political_theory_intermediate")),
                                          "students": _places(of("political_theory_intermediate"))},
        "postgraduate": {**lab("postgraduate"), "registered": _persons(of("postgraduate")),
                         "master": _persons(of("postgraduate", "postgraduate.master")),
                         "doctorate": _persons(of("postgraduate", "postgraduate.doctorate"))},
        "abroad": {**lab("abroad"), "persons": _persons(of("abroad"))},
        "by_leadership_title": {**lab("by_leadership_title"), "persons": _persons(of("by_leadership_title"))},
        "defense_security": {**lab("defense_security"),
                             **{f"group_{g}": _persons(of("defense_security", f"defence_security.group_{g}"))
                                for g in (1, 2)}},
        "knowledge_update_164_QD_TW": {**lab("knowledge_update_164_QD_TW"),
                                       "classes": len(of("knowledge_update_164_QD_TW")),
                                       "participants": _places(of("knowledge_update_164_QD_TW"))},
        "professional_skills": {**lab("professional_skills"), "participations": _places(of("professional_skills"))},
        PC_ROW: {**lab(PC_ROW), "classes": len(of(PC_ROW)), "students": _places(of(PC_ROW))},
    }


def by_category(classes: Sequence[ClassFact], year: int) -> list[dict[str, Any]]:
    """Classes, places and persons per programme category in the year (the 'training by category' chart)."""
    out: dict[str, dict[str, Any]] = {}
    for c in classes:
        if c.year != year or c.status == "cancelled":
            continue
        row = out.setdefault(c.category, {"category": c.category, "classes": 0, "places": 0, "people": set()})
        row["classes"] += 1
        row["places"] += len(c.people)
        row["people"].update(c.people)
    return [{**{k: v for k, v in r.items() if k != "people"}, "persons": len(r["people"])}
            for r in sorted(out.values(), key=lambda r: str(r["category"]))]


def plan_next_year(items: Sequence[PlanItemFact], classes: Sequence[ClassFact], year: int) -> dict[str, Any]:
    """The next year's plan rows (the keys of the figures file's ``plan_<year+1>``)."""
    nxt = [i for i in items if i.year == year + 1]

    def quota(pred: Any) -> int:
        return sum(i.quota for i in nxt if pred(i))

    adv = [i for i in nxt if i.category == "political_theory.advanced"]
    inter_classes = [c for c in classes if c.year == year + 1 and c.status != "cancelled"
                     and c.category == "political_theory.intermediate" and row_of(c) != PC_ROW]
    fields: list[str] = []
    for i in nxt:
        if i.category.startswith("postgraduate."):
            fields += [f for f in i.priority_fields if f not in fields]
    return {
        "political_theory_advanced": {"persons": sum(i.quota for i in adv),
                                      "full_time": sum(i.quota for i in adv if i.mode == "full_time"),
                                      "part_time": sum(i.quota for i in adv if i.mode == "part_time")},
        "political_theory_intermediate": {"classes": len(inter_classes),
                                          "students": quota(lambda i: i.category == "political_theory.intermediate")},
        "postgraduate": {"quota": quota(lambda i: i.category.startswith("postgraduate.")), "priority_fields": fields},
        "title_planning_party_mass_org_defense_security": {
            "label_vi": LABELS_VI["title_planning_party_mass_org_defense_security"],
            "participations_at_least": quota(lambda i: i.category.startswith(NEXT_YEAR_TRAINING))},
    }


def plan_vs_actual(items: Sequence[PlanItemFact], classes: Sequence[ClassFact], year: int) -> list[dict[str, Any]]:
    """Each of the year's plan items beside what was done (places in the year's classes of that programme)."""
    out = []
    for i in items:
        if i.year != year:
            continue
        done = [c for c in classes if c.year == year and c.status != "cancelled" and c.plan_number == i.plan_number
                and c.programme_code == i.programme_code]
        out.append({"plan_number": i.plan_number, "programme_code": i.programme_code,
                    "programme_name": i.programme_name, "category": i.category, "planned": i.quota,
                    "actual": _places(done), "classes": len(done)})
    return out
