"""The portal's readers of the other services: their HTTP APIs only (never their tables), called on behalf of the
signed-in person with a short-lived token naming that one service, so each API applies its own authorisation."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Request

from shared.auth import Principal, issue_token
from shared.config import Settings
from shared.errors import Problem
from shared.http_client import async_client
from shared.logging import get_logger

log = get_logger(__name__)
NAMES = {"registration": ("đăng ký, hồ sơ cán bộ", "registration and records"),
         "scheduling": ("kế hoạch, lớp học", "plans and classes"),
         "selection": ("tuyển chọn cán bộ nguồn", "source-cadre selection"),
         "portal": ("hộp công việc", "task inbox")}
TOKEN_SECONDS = 120


def _transport(request: Request, service: str) -> httpx.AsyncBaseTransport | None:
    """A transport given to the app for a service (the tests' in-process apps); None: the network."""
    transports: dict[str, httpx.AsyncBaseTransport] = getattr(request.app.state, "service_transports", {}) or {}
    return transports.get(service)


def unavailable(service: str) -> Problem:
    vi, en = NAMES.get(service, (service, service))
    return Problem(503, "service_unavailable", "Service unavailable", "Dịch vụ tạm thời không truy cập được",
                   f"The {en} service did not answer; try again in a moment",
                   f"Dịch vụ {vi} chưa trả lời; vui lòng thử lại sau ít phút")


def _problem_of(resp: httpx.Response, service: str) -> Problem:
    """The API's own refusal (problem+json, in both languages), passed on to the page."""
    try:
        body = resp.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict) or not body.get("title_vi"):
        return unavailable(service) if resp.status_code >= 500 else Problem(
            resp.status_code, "refused", "Refused", "Không thực hiện được", "The request was refused",
            "Yêu cầu không được chấp nhận")
    problem = Problem(resp.status_code, str(body.get("code", "refused")), str(body.get("title", "")),
                      str(body.get("title_vi", "")), str(body.get("detail", "")), str(body.get("detail_vi", "")))
    problem.extra.update({k: v for k, v in body.items() if k in ("errors", "registration_id")})
    return problem


async def call(request: Request, principal: Principal, service: str, method: str, path: str, *,
               params: dict[str, Any] | None = None, json: Any = None, raw: bool = False,
               files: dict[str, tuple[str, bytes]] | None = None) -> Any:
    """One call to a service's API as the signed-in person; the JSON answer (or the response when ``raw``).
    A refusal is raised as the API's Problem; a service that does not answer as a 503 Problem."""
    settings: Settings = request.app.state.settings
    token = issue_token(settings, user_id=principal.user_id, roles=sorted(principal.roles),
                        units=sorted(principal.units), name=principal.name, unit=principal.unit,
                        ttl_seconds=TOKEN_SECONDS, audience=[service])
    transport = _transport(request, service)
    base = f"http://{service}" if transport is not None else settings.url_of(service)
    try:
        async with async_client(base_url=base, transport=transport, timeout=30,
                                headers={"Authorization": f"Bearer {token}"}) as client:
            resp = await client.request(method, path, params={k: v for k, v in (params or {}).items()
                                                              if v not in (None, "")}, json=json, files=files)
    except httpx.HTTPError as exc:
        log.warning("page_service_unreachable", service=service, path=path, error=type(exc).__name__)
        raise unavailable(service) from exc
    if resp.status_code >= 400:
        raise _problem_of(resp, service)
    return resp if raw else resp.json()


async def get(request: Request, principal: Principal, service: str, path: str, **params: Any) -> Any:
    """A GET of a service's API (see ``call``)."""
    return await call(request, principal, service, "GET", path, params=params)
