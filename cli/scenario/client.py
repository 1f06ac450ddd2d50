"""The runner's HTTP side: a token per named user, retries on transient failures, and a 'wait until' helper."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import httpx

from shared.auth import issue_token, token_for_demo_user
from shared.config import Settings
from shared.timestamps import as_utc

T = TypeVar("T")
RETRY_STATUSES = frozenset({502, 503, 504, 429})


def retryable(resp: httpx.Response) -> bool:
    """A gateway answer, or the services' own 500 ``internal_error`` (which promises nothing was changed, e.g. a
    database busy beyond its timeout under load): the same call may be made again."""
    if resp.status_code in RETRY_STATUSES:
        return True
    if resp.status_code != 500:
        return False
    try:
        return bool(resp.json().get("code") == "internal_error")
    except ValueError:
        return False
SERVICES = ("registration", "scheduling", "selection", "portal")


class StepFailed(RuntimeError):
    """A call the scenario needed was refused or failed; the message carries the service's problem text."""


def resolve_day(value: str, today: date) -> date:
    """'2023-03-01', 'today', '+30d' or '-2d' → a date."""
    if value == "today":
        return today
    m = re.fullmatch(r"([+-]\d+)d", value)
    return today + timedelta(days=int(m[1])) if m else date.fromisoformat(value)


def resolve_moment(value: str, now: datetime) -> datetime:
    """An ISO date-time or '+5m' / '+2h' / '+3d' / '+30s' from now → an aware date-time."""
    m = re.fullmatch(r"([+-]\d+)([smhd])", value)
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m[2]]
        return now + timedelta(**{unit: int(m[1])})
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return as_utc(parsed)


def tokens_for(settings: Settings, users: dict[str, dict[str, Any]]) -> dict[str, str]:
    """A bearer token for every named user of the scenario, signed with the stack's settings."""
    out = {}
    for key, u in users.items():
        if "demo" in u:
            out[key] = token_for_demo_user(settings, u["demo"])
        else:
            out[key] = issue_token(settings, user_id=u["user_id"], roles=list(u["roles"]),
                                   units=list(u.get("units", [])), name=u.get("name", ""), unit=u.get("unit"))
    return out


def problem_text(resp: httpx.Response) -> str:
    """The service's problem+json (English and Vietnamese detail) or the start of its body."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:300]
    if isinstance(body, dict) and ("detail_en" in body or "title" in body):
        parts = [str(body.get(k)) for k in ("title", "detail_en", "detail_vi") if body.get(k)]
        errors = body.get("errors") or []
        parts += [f"{e.get('field')}: {e.get('message_en')}" for e in errors[:5] if isinstance(e, dict)]
        return " — ".join(parts)
    return str(body)[:300]


class Api:
    """Calls the stack's public APIs as the scenario's named users."""

    def __init__(self, settings: Settings, tokens: dict[str, str], *, timeout: float = 60,
                 transport: httpx.AsyncBaseTransport | None = None, retries: int = 5) -> None:
        self.settings = settings
        self.tokens = tokens
        self.retries = retries
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport,
                                      limits=httpx.Limits(max_connections=32, max_keepalive_connections=32))
        self.calls = 0

    async def close(self) -> None:
        await self.http.aclose()

    def url(self, service: str, path: str) -> str:
        return self.settings.url_of(service) + path

    async def request(self, method: str, service: str, path: str, *, user: str | None, json: Any = None,
                      params: dict[str, Any] | None = None, ok: tuple[int, ...] = (200, 201, 202),
                      files: Any = None) -> httpx.Response:
        """One call, retried on connection errors and 429/5xx gateway answers; other refusals raise StepFailed."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        delay = 0.3
        for attempt in range(self.retries + 1):
            try:
                self.calls += 1
                resp = await self.http.request(method, self.url(service, path), json=json, params=params,
                                               headers=headers, files=files)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise StepFailed(f"{method} {service}{path}: {exc!r}") from exc
            else:
                if resp.status_code in ok:
                    return resp
                if not retryable(resp) or attempt == self.retries:
                    raise StepFailed(f"{method} {service}{path} as {user}: {resp.status_code} {problem_text(resp)}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5)
        raise StepFailed(f"{method} {service}{path}: no answer")  # pragma: no cover - loop always returns/raises

    async def get(self, service: str, path: str, *, user: str | None, **params: Any) -> Any:
        return (await self.request("GET", service, path, user=user, params=params or None)).json()

    async def post(self, service: str, path: str, *, user: str | None, json: Any = None,
                   ok: tuple[int, ...] = (200, 201, 202)) -> Any:
        resp = await self.request("POST", service, path, user=user, json=json, ok=ok)
        return resp.json() if resp.content else None


POLL_MAX_SECONDS = 1.0  # the longest pause between two looks: a workflow's next step is seldom further away


async def wait_until(check: Callable[[], Awaitable[T | None]], *, timeout: float, what: str,
                     interval: float = 0.25) -> T:
    """Poll ``check`` until it returns something other than None (or False); StepFailed after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise StepFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, POLL_MAX_SECONDS)
