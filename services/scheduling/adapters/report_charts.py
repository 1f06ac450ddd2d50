"""The annual report's charts as PNG images (matplotlib, Agg backend), Vietnamese labels by default."""

from __future__ import annotations

import io
from typing import Any

CATEGORY_VI: dict[str, str] = {
    "political_theory.elementary": "Sơ cấp lý luận chính trị",
    "political_theory.intermediate": "Trung cấp lý luận chính trị",
    "political_theory.advanced": "Cao cấp lý luận chính trị",
    "postgraduate.master": "Thạc sĩ",
    "postgraduate.doctorate": "Tiến sĩ",
    "state_management.specialist": "QLNN ngạch chuyên viên",
    "state_management.principal": "QLNN ngạch chuyên viên chính",
    "state_management.senior": "QLNN ngạch chuyên viên cao cấp",
    "leadership_title": "Bồi dưỡng theo chức danh",
    "knowledge_update": "Cập nhật kiến thức",
    "defence_security.group_1": "QP-AN đối tượng 1",
    "defence_security.group_2": "QP-AN đối tượng 2",
    "defence_security.group_3": "QP-AN đối tượng 3",
    "defence_security.group_4": "QP-AN đối tượng 4",
    "professional_skills": "Chuyên môn, nghiệp vụ",
    "training_abroad": "Bồi dưỡng ở nước ngoài",
    "source_cadre_class": "Lớp tạo nguồn",
}
TEXT = {
    "vi": {"by_category": "Đào tạo, bồi dưỡng theo loại chương trình năm {y}", "places": "Lượt học viên",
           "compliance": "Tỷ lệ cán bộ được bồi dưỡng theo đơn vị năm {y}", "share": "Tỷ lệ (%)",
           "required": "Yêu cầu", "plan": "Kế hoạch và thực hiện năm {y}", "planned": "Kế hoạch",
           "done": "Thực hiện", "none": "Chưa có dữ liệu"},
    "en": {"by_category": "Training by programme category, {y}", "places": "Participations",
           "compliance": "Share of officials trained by unit, {y}", "share": "Share (%)", "required": "Required",
           "plan": "Plan vs actual, {y}", "planned": "Planned", "done": "Actual", "none": "No data yet"},
}


def _figure(height: float, width: float = 9) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(width, max(2.5, height)), dpi=100)
    return plt, fig, ax


def _png(plt: Any, fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _empty(plt: Any, fig: Any, ax: Any, title: str, lang: str) -> bytes:
    ax.set_title(title)
    ax.text(0.5, 0.5, TEXT[lang]["none"], ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return _png(plt, fig)


def by_category_chart(report: dict[str, Any], lang: str = "vi") -> bytes:
    """Horizontal bars: participations per programme category."""
    t, rows = TEXT[lang], report.get("by_category", [])
    plt, fig, ax = _figure(0.45 * len(rows) + 1.5)
    title = t["by_category"].format(y=report["year"])
    if not rows:
        return _empty(plt, fig, ax, title, lang)
    labels = [CATEGORY_VI.get(r["category"], r["category"]) if lang == "vi" else r["category"] for r in rows]
    values = [r["places"] for r in rows]
    bars = ax.barh(labels, values, color="#2b6cb0")
    ax.bar_label(bars, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel(t["places"])
    ax.set_title(title)
    return _png(plt, fig)


def compliance_chart(report: dict[str, Any], lang: str = "vi") -> bytes:
    """Bars: the share of each unit's officials trained in the year, with the required share as a line."""
    t, comp = TEXT[lang], report.get("compliance", {})
    units = comp.get("units", [])
    plt, fig, ax = _figure(0.4 * len(units) + 1.5)
    title = t["compliance"].format(y=report["year"])
    if not units:
        return _empty(plt, fig, ax, title, lang)
    labels = [u["unit_name"] for u in units]
    values = [float(u["percentage"]) for u in units]
    colours = ["#2f855a" if u.get("compliant") else "#c53030" for u in units]
    bars = ax.barh(labels, values, color=colours)
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3)
    required = comp.get("required_share")
    if required is not None:
        ax.axvline(100 * float(required), color="#444", linestyle="--", label=t["required"])
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xlabel(t["share"])
    ax.set_title(title)
    return _png(plt, fig)


def plan_chart(report: dict[str, Any], lang: str = "vi") -> bytes:
    """Grouped bars: each plan item's quota beside the places taken in the year's classes."""
    t, rows = TEXT[lang], report.get("plan_vs_actual", [])
    plt, fig, ax = _figure(0.55 * len(rows) + 1.5, width=13)
    title = t["plan"].format(y=report["year"])
    if not rows:
        return _empty(plt, fig, ax, title, lang)
    labels = [r["programme_name"] for r in rows]
    ys = range(len(rows))
    planned = ax.barh([y - 0.2 for y in ys], [r["planned"] for r in rows], height=0.4, color="#a0aec0",
                      label=t["planned"])
    done = ax.barh([y + 0.2 for y in ys], [r["actual"] for r in rows], height=0.4, color="#2b6cb0",
                   label=t["done"])
    ax.bar_label(planned, padding=3, fontsize=8)
    ax.bar_label(done, padding=3, fontsize=8)
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title)
    return _png(plt, fig)


def all_charts(report: dict[str, Any], lang: str = "vi") -> dict[str, bytes]:
    """The three charts by name."""
    return {"by_category": by_category_chart(report, lang), "compliance": compliance_chart(report, lang),
            "plan_vs_actual": plan_chart(report, lang)}
