"""The unit officer's officials file (XLSX or CSV): sent to registration's import API, with the upload's progress
in the browser and the row-by-row report of what was recorded and what was refused, in words."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.portal.pages.http import call
from services.portal.pages.readers import unit_names
from services.portal.pages.session import admitted, render, show
from shared.auth import Principal
from shared.errors import Problem

router = APIRouter(include_in_schema=False)
MAX_BYTES = 10 * 1024 * 1024


@router.get("/ui/officials/upload")
async def upload_form(request: Request) -> Response:
    async def load(p: Principal) -> dict[str, Any]:
        return {"units": await unit_names(request, p), "report": None}
    return await show(request, "official.import", "pages/upload.html", load)


@router.post("/ui/officials/upload")
async def upload(request: Request) -> Response:
    principal = admitted(request, "official.import")
    if isinstance(principal, Response):
        return principal
    form = await request.form()
    sent, unit = form.get("file"), str(form.get("unit") or "")
    units = await unit_names(request, principal)
    problem, report, name = None, None, ""
    if not isinstance(sent, UploadFile) or not sent.filename:
        problem = Problem(422, "no_file", "No file chosen", "Chưa chọn tệp", "Choose an XLSX or CSV file",
                          "Hãy chọn một tệp XLSX hoặc CSV")
    else:
        name = sent.filename
        data = await sent.read(MAX_BYTES + 1)
        try:
            report = await call(request, principal, "registration", "POST", "/officials/import/file",
                                params={"unit": unit or None}, files={"file": (name, data)})
        except Problem as refused:
            problem = refused
    status = problem.status if problem else 200
    return render(request, "pages/upload.html", principal, status=status, units=units, report=report,
                  problem=problem, filename=name, unit=unit)
