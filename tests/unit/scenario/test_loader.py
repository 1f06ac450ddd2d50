"""The scenario loader: the bundled files load, and each kind of mistake is reported at its path in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.scenario.loader import ScenarioError, load, parse

ROOT = Path(__file__).resolve().parents[3]

BASE = """\
version: 1
name: mini
year: 2025
users:
  btc: {demo: btc.nguyenvanhai}
steps:
  - action: define_programmes
    by: btc
    programmes:
      - {code: TC, name: Trung cấp, category: political_theory.intermediate, mode: full_time, hours: 10,
         provider: Trường Chính trị tỉnh, effective_from: "2020-01-01"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse(text, "mini.yaml")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", ["binh-phuoc-2023.yaml", "dong-phu-2025.yaml"])
def test_bundled_scenarios_load(name: str) -> None:
    doc = load(ROOT / "scenarios" / name)
    assert doc["steps"] and doc["expect"]["report"]["actual"]


def test_a_valid_scenario_parses() -> None:
    assert parse(BASE)["steps"][0]["programmes"][0]["code"] == "TC"


def test_a_bad_value_is_named_by_its_path_and_line() -> None:
    text = BASE + """\
  - action: schedule_classes
    by: btc
    classes:
      - {code: A-1, programme: TC, institution: Trường, start: "+3d", capacity: -1}
"""
    found = problems(text)
    assert found == ["steps[1].classes[0].capacity (line 15): -1 is less than the minimum of 0"]


def test_an_unknown_field_is_named_with_the_allowed_ones() -> None:
    found = problems(BASE.replace("hours: 10,", "hours: 10, colour: red,"))
    assert len(found) == 1
    assert found[0].startswith("steps[0].programmes[0] (line 10): unknown field(s) colour; allowed: category")


def test_a_missing_field_and_a_bad_date_form() -> None:
    text = BASE + """\
  - action: schedule_classes
    by: btc
    classes:
      - {code: A-1, programme: TC, start: "next week", capacity: 5}
"""
    found = problems(text)
    assert "steps[1].classes[0] (line 15): 'institution' is a required property" in found
    assert any(p.startswith("steps[1].classes[0].start (line 15): 'next week' does not have the expected form")
               for p in found)


def test_an_unknown_action_and_an_unknown_user() -> None:
    found = problems(BASE + "  - {action: fly, by: btc}\n")
    assert any(p.startswith("steps[1].action (line 12): 'fly' is not one of") for p in found)
    found = problems(BASE.replace("    by: btc\n", "    by: nobody\n"))
    assert found == ["steps[0].by (line 8): unknown user 'nobody'; defined users: btc"]


def test_references_to_things_not_defined_earlier() -> None:
    text = BASE + """\
  - action: schedule_classes
    by: btc
    classes:
      - {code: "A-{n}", repeat: 2, programme: XX, plan: 9-KH/TU, institution: Trường, start: "+3d", capacity: [5]}
  - {action: enrol, by: btc, class: A-3, count: 2, from: {officials: [ghost]}}
"""
    found = problems(text)
    assert "steps[1].classes[0].programme (line 15): programme XX is not defined earlier" in found
    assert "steps[1].classes[0].plan (line 15): plan 9-KH/TU is not adopted earlier" in found
    assert "steps[1].classes[0].capacity (line 15): 1 values for 2 classes" in found
    assert "steps[2].class (line 16): class A-3 is not scheduled earlier" in found
    assert "steps[2].from.officials[0] (line 16): official 'ghost' is not imported earlier" in found


def test_yaml_syntax_and_unreadable_files(tmp_path: Path) -> None:
    found = problems("version: 1\nname: [unclosed\n")
    assert found[0].startswith("(file) (line 3): not valid YAML")
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "missing.yaml")
    assert "cannot be read" in str(info.value)
    assert "Kịch bản không hợp lệ / invalid scenario" in str(info.value)


def test_dates_stay_text_so_the_schema_checks_them() -> None:
    doc = parse(BASE)
    assert doc["steps"][0]["programmes"][0]["effective_from"] == "2020-01-01"
