"""GET /reports/annual?year=: the annual training report (JSON, XLSX or HTML with charts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.scheduling.adapters.report_render import to_html, to_xlsx
from services.scheduling.service.annual_report import annual_report
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports/annual", response_model=None)
async def annual(request: Request, _: Annotated[Principal, Depends(allowed("report.read"))],
                 year: Annotated[int, Query(ge=2000, le=2100)],
                 format: Literal["json", "xlsx", "html"] = "json",
                 lang: Literal["vi", "en"] = "vi") -> dict[str, Any] | Response:
    """The year's figures computed from records, the next year's plan, plan vs actual and per-unit compliance."""
    ctx = ctx_of(request)
    async with ctx.read_sessions() as session:
        report = await annual_report(request.app.state.settings, session, year=year)
    if format == "xlsx":
        return Response(to_xlsx(report, lang), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="bao-cao-{year}.xlsx"'})
    if format == "html":
        return HTMLResponse(to_html(report, lang))
    return report
