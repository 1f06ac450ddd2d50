"""HTTP RED metrics are labelled by the route template, also for routes of included (prefixed) routers."""

from __future__ import annotations

import uuid

import httpx
from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY

from shared.metrics import install_http_metrics


def _count(service: str, route: str, status: str) -> float:
    value = REGISTRY.get_sample_value("cadre_http_requests_total",
                                      {"service": service, "method": "GET", "route": route, "status": status})
    return value or 0.0


async def test_routes_are_labelled_by_template_never_by_raw_path() -> None:
    service = f"svc{uuid.uuid4().hex[:6]}"
    app = FastAPI()
    install_http_metrics(app, service)
    units = APIRouter(prefix="/units")

    @units.get("/{code}/history")
    async def history(code: str) -> dict[str, str]:
        return {"code": code}

    @app.get("/top/{n}")
    async def top(n: int) -> dict[str, int]:
        return {"n": n}

    app.include_router(units, prefix="/v1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/v1/units/DONGXOAI/history")).status_code == 200
        assert (await client.get("/v1/units/BINHLONG/history")).status_code == 200
        assert (await client.get("/top/abc")).status_code == 422
        assert (await client.get("/nowhere/42")).status_code == 404
    assert _count(service, "/v1/units/{code}/history", "200") == 2
    assert _count(service, "/top/{n}", "422") == 1
    assert _count(service, "unmatched", "404") == 1
    assert _count(service, "/v1/units/DONGXOAI/history", "200") == 0
