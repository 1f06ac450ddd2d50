"""Inline SVG bar charts (no script, no file): one row per label, one bar per series, the figures written beside
each bar; the page also shows the same figures as a table, and the chart's title is its accessible name."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

COLOURS = ("#0b4f9c", "#a30000", "#1d6b2f", "#555555")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    suffix: str = ""


def bars(title: str, labels: list[str], series: list[Series], *, maximum: float | None = None,
         mark: float | None = None, mark_label: str = "") -> Markup:
    """A horizontal bar chart; ``mark``: a vertical line (the required share)."""
    top = maximum or max([v for s in series for v in s.values] + [1.0])
    label_w, bar_w, bar_h, gap = 210, 420, 16, 10
    row_h = len(series) * (bar_h + 2) + gap
    legend_h = 22
    height = legend_h + len(labels) * row_h + 10
    width = label_w + bar_w + 80
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
           f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" class="chart">',
           f"<title>{escape(title)}</title>"]
    x = label_w
    for k, s in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="15" font-size="13" fill="#1a1a1a">{escape(s.name)}</text>')
        x += 30 + 8 * len(s.name)
    for i, label in enumerate(labels):
        y0 = legend_h + i * row_h
        short = label if len(label) <= 28 else label[:27].rstrip() + "…"  # the table beside it has the whole name
        out.append(f'<text x="{label_w - 8}" y="{y0 + row_h / 2}" font-size="13" text-anchor="end" '
                   f'fill="#1a1a1a"><title>{escape(label)}</title>{escape(short)}</text>')
        for k, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0.0
            w = max(2.0, bar_w * min(value, top) / top) if top else 2.0
            y = y0 + k * (bar_h + 2)
            shown = f"{value:g}{s.suffix}"
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{COLOURS[k % len(COLOURS)]}"/>'
                       f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 3}" font-size="12" '
                       f'fill="#1a1a1a">{escape(shown)}</text>')
    if mark is not None and top:
        mx = label_w + bar_w * min(mark, top) / top
        out.append(f'<line x1="{mx:.1f}" y1="{legend_h - 2}" x2="{mx:.1f}" y2="{height - 4}" stroke="#1a1a1a" '
                   f'stroke-dasharray="4 3"/>')
        if mark_label:
            out.append(f'<text x="{mx - 4:.1f}" y="{height - 1}" font-size="11" text-anchor="end" '
                       f'fill="#1a1a1a">{escape(mark_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
