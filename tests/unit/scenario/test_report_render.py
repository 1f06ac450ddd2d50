"""The report's renderings: the XLSX opens with openpyxl and carries the three chart images; the HTML embeds them
as PNG; labels are Vietnamese by default."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.scheduling.adapters.report_charts import all_charts
from services.scheduling.adapters.report_render import to_html, to_xlsx
from services.scheduling.domain.report_rows import (
    ClassFact,
    PlanItemFact,
    Selection,
    actual,
    by_category,
    plan_next_year,
    plan_vs_actual,
)

PNG = b"\x89PNG\r\n\x1a\n"


def report() -> dict[str, Any]:
    classes = [ClassFact("c1", "TC-1", "political_theory.intermediate", "full_time", 2023, "enrolling", "159-KH/TU",
                         "", "TC", ("a", "b", "c")),
               ClassFact("c2", "PC-1", "state_management.specialist", "full_time", 2023, "enrolling", "45/KH-UBND",
                         "", "QLNN", ("a",))]
    items = [PlanItemFact("159-KH/TU", 2023, "TC", "Trung cấp lý luận chính trị", "political_theory.intermediate",
                          "full_time", 5)]
    return {"year": 2023, "actual": actual(classes, Selection({"group_1": 1}), 2023),
            "plan_next_year": plan_next_year(items, classes, 2023), "plan_vs_actual": plan_vs_actual(items, classes,
                                                                                                   2023),
            "by_category": by_category(classes, 2023),
            "compliance": {"available": True, "required_share": 1.0, "units": [
                {"unit_code": "DONGXOAI", "unit_name": "Thành phố Đồng Xoài", "officials": 4, "trained": 3,
                 "percentage": 75.0, "compliant": False}]}}


def test_charts_are_png_images() -> None:
    charts = all_charts(report())
    assert set(charts) == {"by_category", "compliance", "plan_vs_actual"}
    assert all(png.startswith(PNG) and len(png) > 5000 for png in charts.values())


def test_xlsx_opens_and_has_the_chart_images() -> None:
    wb = load_workbook(io.BytesIO(to_xlsx(report())))
    assert wb.sheetnames == ["Thực hiện", "Kế hoạch-Thực hiện", "Tuân thủ", "Biểu đồ"]
    first = wb["Thực hiện"]
    assert first["A1"].value == "Báo cáo đào tạo, bồi dưỡng cán bộ năm 2023"
    values = [[c.value for c in row] for row in first.iter_rows()]
    assert ["Trung cấp lý luận chính trị (Trường Chính trị tỉnh, Trung tâm chính trị cấp huyện)", "Số học viên",
            "3"] in values
    charts = wb["Biểu đồ"]
    assert isinstance(charts, Worksheet)
    assert len(charts._images) == 3  # type: ignore[attr-defined]  # where openpyxl keeps a sheet's images
    assert [c.value for c in next(wb["Tuân thủ"].iter_rows(min_row=2))] == ["Thành phố Đồng Xoài", 4, 3, 75, "Chưa đạt"]


def test_html_embeds_the_png_charts_with_vietnamese_labels() -> None:
    page = to_html(report())
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3
    assert all(base64.b64decode(i).startswith(PNG) for i in images)
    assert '<html lang="vi">' in page and "Kế hoạch năm 2024" in page and "Tuân thủ theo đơn vị năm 2023" in page


def test_english_on_request() -> None:
    page = to_html(report(), "en")
    assert "Cadre training report 2023" in page and '<html lang="en">' in page
