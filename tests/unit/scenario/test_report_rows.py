"""The annual report's rows from class, enrolment and plan facts (pure): classification, counting, next year."""

from __future__ import annotations

import json
from pathlib import Path

from services.scheduling.domain.report_rows import (
    ClassFact,
    PlanItemFact,
    Selection,
    actual,
    by_category,
    group_key,
    plan_next_year,
    plan_vs_actual,
    row_of,
)

FIGURES = json.loads((Path(__file__).resolve().parents[2] / "data" / "figures-2023-2024.json").read_text("utf-8"))


def cls(code: str, category: str, people: tuple[str, ...], *, year: int = 2023, plan: str = "159-KH/TU",
        status: str = "enrolling", mode: str = "full_time", programme: str = "P") -> ClassFact:
    return ClassFact(class_id=code, code=code, category=category, mode=mode, year=year, status=status,
                     plan_number=plan, plan_title="", programme_code=programme, people=people)


def test_the_rows_have_exactly_the_figures_files_keys() -> None:
    rows = actual([], Selection(), 2023)
    assert set(rows) == set(FIGURES["actual_2023"])
    for key, row in FIGURES["actual_2023"].items():
        assert set(row) - {"steps"} <= set(rows[key]), key
    assert set(plan_next_year([], [], 2023)) == set(FIGURES["plan_2024"])


def test_people_places_and_classes_are_counted_from_records() -> None:
    classes = [
        cls("CC-1", "political_theory.advanced", ("a", "b")),
        cls("CC-2", "political_theory.advanced", ("b", "c")),  # b twice: persons are distinct people
        cls("CM-1", "professional_skills", ("a", "b")),
        cls("CM-2", "professional_skills", ("a",)),  # participations count every place
        cls("TS-1", "postgraduate.doctorate", ("d",)),
        cls("THS-1", "postgraduate.master", ("e", "f")),
        cls("QP-1", "defence_security.group_1", ("g",)),
        cls("QP-2", "defence_security.group_2", ("h", "i")),
        cls("X-1", "professional_skills", ("z",), status="cancelled"),  # cancelled: not counted
        cls("X-2", "professional_skills", ("y",), year=2024),  # another year
        cls("PC-1", "state_management.specialist", ("a", "b", "c"), plan="45/KH-UBND"),
        cls("SC-1", "source_cadre_class", ("s1", "s2")),
    ]
    rows = actual(classes, Selection({"group_1": 2}), 2023)
    assert rows["political_theory_advanced"]["persons_sent"] == 3
    assert rows["professional_skills"]["participations"] == 3
    assert rows["postgraduate"] | {} == {**rows["postgraduate"], "registered": 3, "master": 2, "doctorate": 1}
    assert (rows["defense_security"]["group_1"], rows["defense_security"]["group_2"]) == (1, 2)
    assert rows["political_school_for_provincial_people_committee"]["classes"] == 1
    assert rows["political_school_for_provincial_people_committee"]["students"] == 3
    assert rows["source_cadre_selection_134_KH_TU"]["selected"] == {"group_1": 2}
    assert rows["source_cadre_selection_134_KH_TU"]["students"] == 2
    assert {r["category"]: r["places"] for r in by_category(classes, 2023)}["professional_skills"] == 3


def test_a_peoples_committee_plan_wins_over_the_category() -> None:
    pc = "political_school_for_provincial_people_committee"
    assert row_of(cls("A", "knowledge_update", (), plan="12/KH-UBND")) == pc
    assert row_of(cls("A", "knowledge_update", (), plan="12-KH/TU")) == "knowledge_update_164_QD_TW"
    titled = ClassFact("A", "A", "professional_skills", "full_time", 2023, "enrolling", "7/KH", "Kế hoạch của Ủy ban "
                       "nhân dân tỉnh")
    assert row_of(titled) == pc
    assert row_of(cls("A", "political_theory.elementary", ())) is None


def test_next_years_plan_and_plan_vs_actual() -> None:
    items = [
        PlanItemFact("01-KH/TU", 2024, "CC-TT", "Cao cấp (tập trung)", "political_theory.advanced", "full_time", 30),
        PlanItemFact("01-KH/TU", 2024, "CC-KTT", "Cao cấp (không tập trung)", "political_theory.advanced",
                     "part_time", 36),
        PlanItemFact("01-KH/TU", 2024, "TC", "Trung cấp", "political_theory.intermediate", "full_time", 360),
        PlanItemFact("01-KH/TU", 2024, "THS", "Thạc sĩ", "postgraduate.master", "full_time", 8, ("luật (law)",)),
        PlanItemFact("01-KH/TU", 2024, "TS", "Tiến sĩ", "postgraduate.doctorate", "full_time", 4,
                     ("kinh tế (economics)", "luật (law)")),
        PlanItemFact("01-KH/TU", 2024, "CD", "Chức danh", "leadership_title", "full_time", 400),
        PlanItemFact("01-KH/TU", 2024, "QP", "QP-AN", "defence_security.group_2", "full_time", 600),
        PlanItemFact("01-KH/TU", 2024, "CM", "Nghiệp vụ", "professional_skills", "full_time", 1000),
        PlanItemFact("159-KH/TU", 2023, "TC", "Trung cấp", "political_theory.intermediate", "full_time", 100),
    ]
    next_classes = [cls(f"TC-24-{i}", "political_theory.intermediate", (), year=2024, plan="01-KH/TU")
                    for i in range(6)]
    plan = plan_next_year(items, next_classes, 2023)
    assert plan["political_theory_advanced"] == {"persons": 66, "full_time": 30, "part_time": 36}
    assert plan["political_theory_intermediate"] == {"classes": 6, "students": 360}
    assert plan["postgraduate"] == {"quota": 12, "priority_fields": ["luật (law)", "kinh tế (economics)"]}
    assert plan["title_planning_party_mass_org_defense_security"]["participations_at_least"] == 2000
    done = [cls("TC-23-1", "political_theory.intermediate", ("a", "b"), programme="TC")]
    assert plan_vs_actual(items, done, 2023) == [{
        "plan_number": "159-KH/TU", "programme_code": "TC", "programme_name": "Trung cấp",
        "category": "political_theory.intermediate", "planned": 100, "actual": 2, "classes": 1}]


def test_group_codes_become_report_keys() -> None:
    assert [group_key(c) for c in ("G1", "NHOM_2", "group_1", "Đối tượng 3")] == [
        "group_1", "group_2", "group_1", "group_3"]
