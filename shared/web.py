"""The HTTP app factory every service uses: health, readiness, metrics, request ids, problem+json."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.config import Settings
from shared.errors import install_error_handlers
from shared.metrics import READY, install_http_metrics
from shared.supervision import not_running

# True when ready; False (shown "unreachable") or a word saying what is wrong (e.g. "read_only") when not
ReadinessCheck = Callable[[], Awaitable[bool | str]]
# The largest ``offset`` a list accepts: far beyond any list's length, and within every database's 64-bit integer
# (an offset of 10^20 overflowed SQLite's and answered 500).
MAX_OFFSET = 1_000_000_000


def build_app(*, service: str, title: str, settings: Settings, routers: Sequence[APIRouter],
              readiness: dict[str, ReadinessCheck], state: dict[str, Any] | None = None,
              lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None) -> FastAPI:
    """Build a service's FastAPI app; nothing here connects to anything until the app starts."""
    app = FastAPI(title=title, version="0.1.0", lifespan=lifespan,
                  description="Cadreflow — đào tạo, bồi dưỡng và tạo nguồn cán bộ")
    app.state.settings = settings
    app.state.service = service
    for key, value in (state or {}).items():
        setattr(app.state, key, value)
    install_error_handlers(app)

    async def check_readiness() -> dict[str, str]:
        """Run every readiness check ("ok" or what is wrong); the cadre_ready gauge follows (so a scrape alone keeps
        it fresh)."""
        names = list(readiness)
        results = await asyncio.gather(*(_safe(readiness[n]) for n in names))
        checks = dict(zip(names, results, strict=True))
        for name, state in checks.items():
            READY.labels(service, name).set(1 if state == "ok" else 0)
        return checks

    install_http_metrics(app, service, before_scrape=check_readiness)

    app.add_middleware(RequestContext)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": service}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        stack = not_running(settings.data_dir)  # under `cadre up`: the processes restarting or given up on
        checks = await check_readiness()
        failing = [n for n, state in checks.items() if state != "ok"]
        body: dict[str, Any] = {"status": "ready" if not failing else "not_ready", "service": service,
                                "checks": checks, "failing": failing}
        if stack:
            body["stack"] = stack
        return JSONResponse(body, status_code=200 if not failing else 503)

    for router in routers:
        app.include_router(router)
    return app


class RequestContext:
    """Binds the request id (the caller's ``x-request-id`` or a new one) to the logs and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or str(uuid.uuid4())

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, sending)
        finally:
            structlog.contextvars.unbind_contextvars("request_id", "actor")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")[:200]
    return None


READINESS_TIMEOUT = 4.0


async def _safe(check: ReadinessCheck) -> str:
    try:
        result = await asyncio.wait_for(check(), timeout=READINESS_TIMEOUT)
    except Exception:
        return "unreachable"
    if result is True:
        return "ok"
    return result if isinstance(result, str) and result else "unreachable"
