"""The scheduling catalogue port: programmes, plans and classes, read from scheduling over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import httpx

from shared.auth import issue_token
from shared.config import Settings
from shared.errors import Problem
from shared.http_client import async_client
from shared.logging import get_logger

log = get_logger(__name__)
INACTIVE_ENROLMENT = frozenset({"withdrawn", "declined", "cancelled", "expired", "refused"})


@dataclass(frozen=True)
class Programme:
    """A training programme as scheduling describes it."""

    code: str
    name: str
    category: str
    mode: str | None = None
    hours: float | None = None
    target_criteria: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanItem:
    """One programme's quota in a plan, with its allocation per unit."""

    programme_code: str
    quota: int
    allocations: dict[str, int] = field(default_factory=dict)
    dispatch_date: date | None = None  # the plan's dispatch date: the date its registrations' rules apply on


@dataclass(frozen=True)
class ClassInfo:
    """A class (cohort) of a programme over dates."""

    id: str
    code: str
    programme_code: str
    start_date: date | None
    end_date: date | None
    status: str = ""
    institution: str = ""  # who holds it (the school)
    venue: str = ""  # where
    hours: float | None = None  # its timetable's hours (None while it has none, or when scheduling did not say)


class SchedulingCatalogue(Protocol):
    """What registration needs to know from scheduling."""

    async def programme(self, code: str) -> Programme | None:
        """The programme with this code, or None."""

    async def plan_items(self, year: int) -> list[PlanItem]:
        """Every plan item of the plans of a year."""

    async def class_(self, class_id: str) -> ClassInfo | None:
        """The class with this id, or None."""

    async def official_classes(self, official_id: str) -> list[ClassInfo]:
        """Classes the official is enrolled or waitlisted in."""

    async def programme_names(self) -> dict[str, str]:
        """Programme code → name, of the programmes in force today."""


def scheduling_unavailable() -> Problem:
    """A 503 problem: scheduling did not answer, nothing was written."""
    return Problem(503, "scheduling_unavailable", "The scheduling service is unavailable",
                   "Dịch vụ kế hoạch và lớp học tạm thời không phản hồi",
                   "Programmes, plans and classes cannot be read now; nothing was saved. Try again later.",
                   "Không đọc được chương trình, kế hoạch và lớp học; chưa có gì được lưu. Vui lòng thử lại sau.")


def _malformed(what: str, exc: Exception) -> Problem:
    """Scheduling answered something registration cannot read: the same 503, logged."""
    log.warning("scheduling_answer_unreadable", what=what, error=repr(exc))
    return scheduling_unavailable()


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def class_from_json(doc: dict[str, Any]) -> ClassInfo:
    """Read a class document."""
    return ClassInfo(id=str(doc["id"]), code=str(doc.get("code", "")), programme_code=str(doc["programme_code"]),
                     start_date=_date(doc.get("start_date")), end_date=_date(doc.get("end_date")),
                     status=str(doc.get("status", "")), institution=str(doc.get("institution") or ""),
                     venue=str(doc.get("venue") or ""),
                     hours=float(doc["hours"]) if doc.get("hours") is not None else None)


class HttpSchedulingCatalogue:
    """The adapter: scheduling's HTTP API with a service token."""

    def __init__(self, settings: Settings, *, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.timeout = timeout
        self.transport = transport

    def _headers(self) -> dict[str, str]:
        token = issue_token(self.settings, user_id="svc.registration", roles=["service"], units=["*"],
                            ttl_seconds=300, audience=["scheduling"])
        return {"Authorization": f"Bearer {token}"}

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any | None:
        url = f"{self.settings.url_of('scheduling')}{path}"
        try:
            async with async_client(timeout=self.timeout, transport=self.transport) as client:
                resp = await client.get(url, params=params, headers=self._headers())
        except httpx.HTTPError as exc:
            log.warning("scheduling_unreachable", path=path, error=repr(exc))
            raise scheduling_unavailable() from exc
        if resp.status_code == 404:
            return None
        if resp.status_code >= 500 or resp.status_code in (401, 403):
            log.warning("scheduling_error", path=path, status=resp.status_code)
            raise scheduling_unavailable()
        if resp.status_code >= 400:
            return None
        return resp.json()

    async def programme(self, code: str) -> Programme | None:
        try:
            return await self._programme(code)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed("programme", exc) from exc

    async def plan_items(self, year: int) -> list[PlanItem]:
        try:
            return await self._plan_items(year)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed("plans", exc) from exc

    async def class_(self, class_id: str) -> ClassInfo | None:
        try:
            return await self._class(class_id)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed("class", exc) from exc

    async def official_classes(self, official_id: str) -> list[ClassInfo]:
        try:
            return await self._official_classes(official_id)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed("official_classes", exc) from exc

    async def programme_names(self) -> dict[str, str]:
        try:
            docs = await self._get("/programmes") or []
            return {str(d.get("programme_code") or d["code"]): str(d["name"]) for d in docs}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed("programmes", exc) from exc

    async def _programme(self, code: str) -> Programme | None:
        doc = await self._get(f"/programmes/{code}")
        if not doc:
            return None
        return Programme(code=str(doc["code"]), name=str(doc.get("name", "")), category=str(doc.get("category", "")),
                         mode=doc.get("mode"), hours=doc.get("hours"),
                         target_criteria=dict(doc.get("target_criteria") or {}))

    async def _plan_items(self, year: int) -> list[PlanItem]:
        plans = await self._get("/plans", {"year": year}) or []
        return [PlanItem(programme_code=str(i["programme_code"]), quota=int(i.get("quota") or 0),
                         allocations={str(k): int(v) for k, v in (i.get("allocations") or {}).items()},
                         dispatch_date=_date(plan.get("dispatch_date")))
                for plan in plans for i in plan.get("items", [])]

    async def _class(self, class_id: str) -> ClassInfo | None:
        doc = await self._get(f"/classes/{class_id}")
        return class_from_json(doc) if doc else None

    async def _official_classes(self, official_id: str) -> list[ClassInfo]:
        docs = await self._get(f"/officials/{official_id}/classes") or []
        if isinstance(docs, dict):
            docs = docs.get("items", [])
        out = []
        for doc in docs:
            status = doc.get("enrolment_status") or doc.get("status")
            if status in INACTIVE_ENROLMENT:
                continue
            klass = doc.get("class") if isinstance(doc.get("class"), dict) else doc
            if klass.get("programme_code"):
                out.append(class_from_json(klass))
        return out
