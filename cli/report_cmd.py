"""`cadre report annual --year Y --format json|xlsx|html [--out FILE]`: the annual report from scheduling's API,
rendered here (XLSX and HTML with the charts as PNG images)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx

from shared.config import Settings


class ReportFailed(RuntimeError):
    """The report could not be fetched."""


def fetch_annual(settings: Settings, year: int, *, token: str, lang: str = "vi",
                 transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """GET /reports/annual?year= as JSON."""
    url = f"{settings.url_of('scheduling')}/reports/annual"
    try:
        with httpx.Client(timeout=120, transport=transport) as http:
            resp = http.get(url, params={"year": year, "lang": lang}, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        raise ReportFailed(f"scheduling is not reachable at {url}: {exc!r}") from exc
    if resp.status_code != 200:
        raise ReportFailed(f"{resp.status_code}: {resp.text[:400]}")
    report: dict[str, Any] = resp.json()
    return report


def write_report(report: dict[str, Any], fmt: str, out: Path | None, lang: str = "vi") -> Path | None:
    """Render and write; JSON without --out goes to standard output (returns None)."""
    from services.scheduling.adapters.report_render import to_html, to_xlsx

    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if out is None:
            sys.stdout.write(text + "\n")
            return None
        out.write_text(text + "\n", encoding="utf-8")
        return out
    target = out or Path(f"bao-cao-{report['year']}.{fmt}")
    if fmt == "xlsx":
        target.write_bytes(to_xlsx(report, lang))
    else:
        target.write_text(to_html(report, lang), encoding="utf-8")
    return target
