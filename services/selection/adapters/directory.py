"""The port to officials' records (owned by registration) and its HTTP adapter."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from services.selection.domain.eligibility import OfficialRecord
from shared.auth import issue_token
from shared.cadre_planning import in_planning_on
from shared.config import Settings
from shared.http_client import async_client
from shared.retirement import BirthDate, Gender


class OfficialNotFound(LookupError):
    """Registration does not know the official."""


class OfficialDirectory(Protocol):
    """Where pre-screening reads officials' records."""

    async def fetch(self, official_id: str) -> dict[str, Any]:
        """The official's record as registration returns it (JSON)."""
        ...


def to_record(doc: dict[str, Any], *, planning_on: date | None = None) -> OfficialRecord:
    """Map registration's JSON to OfficialRecord; planning is read as it stood on `planning_on` (the snapshot)."""
    birth = doc.get("birth") or {}
    planned = bool(doc.get("in_planning"))
    if planning_on is not None and "planning" in doc:
        planned = in_planning_on(doc.get("planning") or [], planning_on)
    return OfficialRecord(
        official_id=str(doc["id"]), full_name=str(doc["full_name"]), gender=Gender(doc["gender"]),
        birth=BirthDate(int(birth["year"]), birth.get("month"), birth.get("day")),
        unit_code=str(doc.get("unit_code") or ""), political_theory=str(doc.get("political_theory") or "none"),
        education=str(doc.get("education") or "none"),
        ratings={int(y): str(r) for y, r in (doc.get("ratings") or {}).items()},
        in_planning=planned, service_start=_date_or_none(doc.get("service_start")),
        discipline=[(date.fromisoformat(str(d["date"])), str(d["level"])) for d in doc.get("discipline") or []])


def _date_or_none(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


class HttpOfficialDirectory:
    """Reads `GET {registration}/officials/{id}` with selection's service token."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.transport = transport

    async def fetch(self, official_id: str) -> dict[str, Any]:
        """One official's record; OfficialNotFound on 404 or 422, an error on anything else but 200."""
        token = issue_token(self.settings, user_id="svc.selection", roles=["service"], units=["*"], ttl_seconds=300,
                            audience=["registration"])
        async with async_client(base_url=self.settings.url_of("registration"), timeout=10,
                                transport=self.transport) as client:
            resp = await client.get(f"/officials/{quote(official_id, safe='')}",
                                    headers={"authorization": f"Bearer {token}"})
        if resp.status_code in (404, 422):  # no such official (422: not even the shape of an official's id)
            raise OfficialNotFound(official_id)
        resp.raise_for_status()
        doc: dict[str, Any] = resp.json()
        return doc
