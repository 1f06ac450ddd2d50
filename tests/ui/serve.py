"""An app served over HTTP on a free local port with a headless Chromium to browse it, for the UI tests; and the
portal alone, served so (its pages read its own API in process)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from playwright.async_api import Browser, async_playwright
from starlette.types import ASGIApp

from tests.ui.test_task_views import ARGS, CHROMIUM
from tests.unit.portal.support import Portal, make_portal


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[tuple[str, Browser]]:
    """The app's address (its lifespan off) and a browser; the browser closed and the server stopped after."""
    assert Path(CHROMIUM).exists(), "Debian chromium is required: apt-get install -y chromium"
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False,
                                           lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                yield f"http://127.0.0.1:{port}", browser
            finally:
                await browser.close()
    finally:
        server.should_exit = True
        await serving


@dataclass
class PortalSite:
    url: str
    portal: Portal
    browser: Browser


@asynccontextmanager
async def portal_site(tmp_path: Path) -> AsyncIterator[PortalSite]:
    """The portal on SQLite with demo sign-in, served; its pages read its own API as they would over HTTP."""
    portal = await make_portal(tmp_path, demo_login=True)
    portal.app.state.service_transports = {"portal": httpx.ASGITransport(app=portal.app)}
    async with serve(portal.app) as (url, browser):
        yield PortalSite(url, portal, browser)
