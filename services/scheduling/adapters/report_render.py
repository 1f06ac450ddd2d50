"""The annual report as an XLSX workbook and as an HTML page, each with the charts as PNG images."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterator
from typing import Any

from services.scheduling.adapters.report_charts import CATEGORY_VI, all_charts
from services.scheduling.domain.report_rows import LABELS_EN, LABELS_VI
from shared.exports import append_text

FIGURE_VI = {
    "selected": "Số được chọn", "group_1": "Đối tượng 1", "group_2": "Đối tượng 2", "classes": "Số lớp",
    "students": "Số học viên", "persons_sent": "Số người được cử", "registered": "Số đăng ký", "master": "Thạc sĩ",
    "doctorate": "Tiến sĩ", "persons": "Số người", "participants": "Số lượt người tham gia",
    "participations": "Số lượt", "full_time": "Tập trung", "part_time": "Không tập trung", "quota": "Chỉ tiêu",
    "priority_fields": "Ngành ưu tiên", "participations_at_least": "Số lượt (tối thiểu)",
}
HEAD = {
    "vi": {"title": "Báo cáo đào tạo, bồi dưỡng cán bộ năm {y}", "actual": "Kết quả thực hiện năm {y}",
           "plan": "Kế hoạch năm {y}", "pva": "Kế hoạch và thực hiện năm {y}", "comp": "Tuân thủ theo đơn vị năm {y}",
           "charts": "Biểu đồ", "row": "Nội dung", "figure": "Chỉ số", "value": "Giá trị", "unit": "Đơn vị",
           "officials": "Số cán bộ", "trained": "Đã bồi dưỡng", "pct": "Tỷ lệ (%)", "ok": "Đạt",
           "programme": "Chương trình", "category": "Loại", "planned": "Kế hoạch", "done": "Thực hiện",
           "class_count": "Số lớp", "yes": "Đạt", "no": "Chưa đạt"},
    "en": {"title": "Cadre training report {y}", "actual": "Done in {y}", "plan": "Plan for {y}",
           "pva": "Plan vs actual {y}", "comp": "Compliance by unit {y}", "charts": "Charts", "row": "Row",
           "figure": "Figure", "value": "Value", "unit": "Unit", "officials": "Officials", "trained": "Trained",
           "pct": "Share (%)", "ok": "Compliant", "programme": "Programme", "category": "Category",
           "planned": "Planned", "done": "Actual", "class_count": "Classes", "yes": "yes", "no": "no"},
}
CHART_TITLES = {"vi": {"by_category": "Đào tạo theo loại chương trình", "compliance": "Tuân thủ theo đơn vị",
                       "plan_vs_actual": "Kế hoạch và thực hiện"},
                "en": {"by_category": "Training by category", "compliance": "Compliance by unit",
                       "plan_vs_actual": "Plan vs actual"}}


def _label(key: str, lang: str) -> str:
    return (LABELS_VI if lang == "vi" else LABELS_EN).get(key, key)


def _figures(section: dict[str, Any], lang: str) -> Iterator[tuple[str, str, str]]:
    """(row label, figure label, value) for every figure of a section (nested groups flattened)."""
    for key, row in section.items():
        for name, value in row.items():
            if name.startswith("label_"):
                continue
            if isinstance(value, dict):
                for sub, v in value.items():
                    fig = (f"{FIGURE_VI.get(name, name)} — {FIGURE_VI.get(sub, sub)}" if lang == "vi"
                           else f"{name}.{sub}")
                    yield _label(key, lang), fig, str(v)
            else:
                shown = "; ".join(value) if isinstance(value, list) else str(value)
                yield _label(key, lang), FIGURE_VI.get(name, name) if lang == "vi" else name, shown


def _category(code: str, lang: str) -> str:
    return CATEGORY_VI.get(code, code) if lang == "vi" else code


def to_xlsx(report: dict[str, Any], lang: str = "vi") -> bytes:
    """A workbook: actual rows, next year's plan, plan vs actual, compliance, and a sheet of chart images."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    h, y = HEAD[lang], report["year"]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Thực hiện" if lang == "vi" else "Actual"
    ws.append([h["title"].format(y=y)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([h["actual"].format(y=y)])
    ws.append([h["row"], h["figure"], h["value"]])
    for r in _figures(report["actual"], lang):
        append_text(ws, list(r))
    ws.append([])
    ws.append([h["plan"].format(y=y + 1)])
    ws.append([h["row"], h["figure"], h["value"]])
    for r in _figures(report["plan_next_year"], lang):
        append_text(ws, list(r))
    for col, width in zip("ABC", (70, 36, 40), strict=True):
        ws.column_dimensions[col].width = width
    pva = wb.create_sheet("Kế hoạch-Thực hiện" if lang == "vi" else "Plan vs actual")
    pva.append([h["programme"], h["category"], h["planned"], h["done"], h["class_count"]])
    for r in report.get("plan_vs_actual", []):
        append_text(pva, [r["programme_name"], _category(r["category"], lang), r["planned"], r["actual"], r["classes"]])
    pva.column_dimensions["A"].width = 50
    comp = wb.create_sheet("Tuân thủ" if lang == "vi" else "Compliance")
    comp.append([h["unit"], h["officials"], h["trained"], h["pct"], h["ok"]])
    for u in report.get("compliance", {}).get("units", []):
        append_text(comp, [u["unit_name"], u["officials"], u["trained"], u["percentage"], h["yes"] if u["compliant"]
                     else h["no"]])
    comp.column_dimensions["A"].width = 45
    charts = wb.create_sheet("Biểu đồ" if lang == "vi" else "Charts")
    row = 1
    for name, png in all_charts(report, lang).items():
        charts.cell(row=row, column=1, value=CHART_TITLES[lang][name]).font = Font(bold=True)
        img = Image(io.BytesIO(png))
        charts.add_image(img, f"A{row + 1}")
        row += int(img.height / 20) + 3
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table(head: list[str], body: list[list[Any]]) -> str:
    th = "".join(f"<th>{html.escape(str(c))}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def to_html(report: dict[str, Any], lang: str = "vi") -> str:
    """A self-contained page: the tables, then each chart as an embedded PNG."""
    h, y = HEAD[lang], report["year"]
    parts = [f"<h1>{html.escape(h['title'].format(y=y))}</h1>",
             f"<h2>{html.escape(h['actual'].format(y=y))}</h2>",
             _table([h["row"], h["figure"], h["value"]], [list(r) for r in _figures(report["actual"], lang)]),
             f"<h2>{html.escape(h['plan'].format(y=y + 1))}</h2>",
             _table([h["row"], h["figure"], h["value"]], [list(r) for r in _figures(report["plan_next_year"], lang)]),
             f"<h2>{html.escape(h['pva'].format(y=y))}</h2>",
             _table([h["programme"], h["category"], h["planned"], h["done"], h["class_count"]],
                    [[r["programme_name"], _category(r["category"], lang), r["planned"], r["actual"], r["classes"]]
                     for r in report.get("plan_vs_actual", [])]),
             f"<h2>{html.escape(h['comp'].format(y=y))}</h2>",
             _table([h["unit"], h["officials"], h["trained"], h["pct"], h["ok"]],
                    [[u["unit_name"], u["officials"], u["trained"], u["percentage"],
                      h["yes"] if u["compliant"] else h["no"]] for u in report.get("compliance", {}).get("units", [])]),
             f"<h2>{html.escape(h['charts'])}</h2>"]
    for name, png in all_charts(report, lang).items():
        data = base64.b64encode(png).decode("ascii")
        title = html.escape(CHART_TITLES[lang][name])
        parts.append(f'<figure><img alt="{title}" src="data:image/png;base64,{data}"><figcaption>{title}'
                     "</figcaption></figure>")
    style = ("body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#edf2f7}"
             "img{max-width:100%}")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>'
            f"{html.escape(h['title'].format(y=y))}</title><style>{style}</style></head><body>"
            + "".join(parts) + "</body></html>")
