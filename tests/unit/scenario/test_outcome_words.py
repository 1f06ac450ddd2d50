"""The printed outcome of a scenario: Vietnamese words for every label, never a field code or a Python repr; the
units below 95 % named; refused and flagged registrations counted by reason."""

from __future__ import annotations

import io

from rich.console import Console

from cli.scenario.outcome import _tally, print_outcome
from cli.scenario.words import FINDINGS, figure_text, word

OUT = {
    "year": 2023,
    "report": {
        "actual": {"postgraduate": {"label_vi": "Đào tạo sau đại học", "label_en": "Postgraduate", "registered": 8,
                                    "master": 2, "doctorate": 6},
                   "source_cadre_selection_134_KH_TU": {"label_vi": "Tạo nguồn", "selected": {"group_1": 23},
                                                        "classes": 2}},
        "plan_next_year": {"political_theory_advanced": {"persons": 66, "full_time": 30, "part_time": 36},
                           "postgraduate": {"quota": 12, "priority_fields": ["luật (law)", "kinh tế (economics)"]}}},
    "selected": {"134-KH/TU": {"G1": 23, "G2": 25}},
    "compliance": {"available": True, "officials": 300, "trained": 290, "percentage": 96.7, "required_share": 1.0,
                   "units": [{"unit_name": "Huyện Bù Đốp", "officials": 100, "trained": 90, "percentage": 90.0},
                             {"unit_name": "Thành phố Đồng Xoài", "officials": 200, "trained": 200,
                              "percentage": 100.0}]},
    "registrations": {"submitted": 4, "accepted": 1, "refused": 2, "flagged": 1,
                      "refused_reasons": {"time_overlap": 1, "already_holds_level": 1},
                      "flagged_reasons": {"source_cadre_criteria": 1}, "flagged_now": {"refused": 1}},
    "conflicts": {"overlaps": 1, "duplicates": 0}, "refusals_total": 0, "expected_mismatches": [],
    "audit": {"ok": True},
}


def printed() -> str:
    buf = io.StringIO()
    print_outcome(OUT, Console(file=buf, width=240, color_system=None))
    return buf.getvalue()


def test_every_label_is_in_words() -> None:
    text = printed()
    for code in ("political_theory_advanced", "full_time", "priority_fields", "group_1", "{'", "overlaps",
                 "registered=", "None"):
        assert code not in text, code
    assert "Đào tạo cao cấp lý luận chính trị" in text and "hệ tập trung: 30" in text
    assert "lĩnh vực ưu tiên: luật (law); kinh tế (economics)" in text
    assert "được chọn: đối tượng 1 23" in text
    assert "lớp đối tượng 1: 23 đồng chí" in text


def test_compliance_names_the_units_below_95_percent() -> None:
    text = printed()
    assert "Tuân thủ năm 2023: 290/300 cán bộ được bồi dưỡng (96.7 %) trong 2 đơn vị" in text
    assert "Dưới 95 %: Huyện Bù Đốp — 90/100 (90.0 %)" in text
    assert "Dưới 95 %: Thành phố Đồng Xoài" not in text


def test_refused_and_flagged_registrations_by_reason() -> None:
    text = printed()
    assert "Đăng ký nhu cầu: 4 đăng ký; 1 chấp nhận, 2 bị từ chối, 1 chuyển cơ quan quản lý xem xét" in text
    assert "Từ chối vì trùng thời gian với lớp khác: 1" in text
    assert "Cần xem xét vì chưa đúng đối tượng lớp tạo nguồn (Kế hoạch 134-KH/TU): 1" in text
    assert "Cơ quan quản lý đã quyết định: bị từ chối 1" in text
    assert "1 trường hợp trùng thời gian, 0 đăng ký trùng" in text


def test_codes_without_words_never_show_raw_and_tallies_put_the_commonest_first() -> None:
    assert word(FINDINGS, "some_new_check") == "some new check"
    assert figure_text({"label_vi": "x", "persons": 5}, frozenset({"label_vi"})) == "người: 5"
    assert list(_tally(["b", "a", "b"]).items()) == [("b", 2), ("a", 1)]
