"""A fake scheduling catalogue and an in-process registration app on SQLite (unit tests only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.registration.adapters.catalogue import ClassInfo, PlanItem, Programme, scheduling_unavailable
from services.registration.api import dispatches as api_dispatches
from services.registration.api import officials as api_officials
from services.registration.api import registrations as api_registrations
from services.registration.api import units as api
from shared.auth import issue_token
from shared.config import Settings
from shared.context import ServiceContext
from shared.web import build_app
from tests.support.sqlite_ctx import sqlite_context


@dataclass
class FakeSchedulingCatalogue:
    """Programmes, plan items and classes held in memory; `down` makes every read a 503."""

    programmes: dict[str, Programme] = field(default_factory=dict)
    items: dict[int, list[PlanItem]] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    enrolled: dict[str, list[ClassInfo]] = field(default_factory=dict)
    down: bool = False

    def _check(self) -> None:
        if self.down:
            raise scheduling_unavailable()

    async def programme(self, code: str) -> Programme | None:
        self._check()
        return self.programmes.get(code)

    async def plan_items(self, year: int) -> list[PlanItem]:
        self._check()
        return list(self.items.get(year, []))

    async def class_(self, class_id: str) -> ClassInfo | None:
        self._check()
        return self.classes.get(class_id)

    async def official_classes(self, official_id: str) -> list[ClassInfo]:
        self._check()
        return list(self.enrolled.get(official_id, []))

    async def programme_names(self) -> dict[str, str]:
        self._check()
        return {code: p.name for code, p in self.programmes.items()}


@dataclass
class App:
    """The app, its context, the fake catalogue, and tokens."""

    client: httpx.AsyncClient
    ctx: ServiceContext
    catalogue: FakeSchedulingCatalogue
    settings: Settings

    def headers(self, roles: list[str], units: list[str] | None = None, user: str = "btc.test") -> dict[str, str]:
        token = issue_token(self.settings, user_id=user, roles=roles, units=units or ["*"], name="Kiểm thử")
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, roles: list[str], units: list[str] | None = None,
                   **kw: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.headers(roles, units), **kw)


@asynccontextmanager
async def registration_app(tmp: Path) -> AsyncIterator[App]:
    """Registration's routers on a fresh SQLite database, with a fake scheduling catalogue."""
    ctx = await sqlite_context(tmp)
    catalogue = FakeSchedulingCatalogue()
    settings = Settings(data_dir=tmp)
    app = build_app(service="registration", title="t", settings=settings,
                    routers=[api.router, api_officials.router, api_registrations.router, api_dispatches.router],
                    readiness={}, state={"ctx": ctx, "catalogue": catalogue})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registration") as client:
        yield App(client, ctx, catalogue, settings)
    await ctx.dispose()
