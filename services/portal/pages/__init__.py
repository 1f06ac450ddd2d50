"""The role pages of the portal: the unit officer's, the Organization Board's and the auditor's. They read the other
services through their HTTP APIs only, as the signed-in person, so each API's own authorisation applies."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.portal.pages import auditor, away, board, officer, upload
from services.portal.pages.nav import landing
from services.portal.pages.session import signed_in

HERE = Path(__file__).parent


def build_router() -> APIRouter:
    """Every role page, the pages' stylesheet and the landing page after sign-in."""
    router = APIRouter(include_in_schema=False)

    @router.get("/ui/start")
    async def start(request: Request) -> Response:
        """Where a person lands after signing in: the first page their role may use."""
        principal = signed_in(request)
        return RedirectResponse(landing(principal) if principal else "/ui/signin", status_code=303)

    @router.get("/ui/static/pages.css")
    async def stylesheet() -> FileResponse:
        return FileResponse(HERE / "pages.css", media_type="text/css")

    @router.get("/ui/static/pages.js")
    async def script() -> FileResponse:
        return FileResponse(HERE / "pages.js", media_type="text/javascript")

    for sub in (upload.router, officer.router, board.router, auditor.router, away.router):
        router.include_router(sub)
    return router
