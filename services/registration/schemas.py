"""Registration's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class UnitKind(StrEnum):
    """Kinds of unit in the province's organisation."""

    province_party = "province_party"
    agency = "agency"
    department = "department"
    district = "district"
    commune = "commune"
    institution = "institution"
    public_service = "public_service"


class UnitCreate(BaseModel):
    """A new unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^[A-Z0-9_-]{2,40}$", description="Stable code, e.g. DONGXOAI")
    name: str = Field(min_length=2, max_length=300, description="Vietnamese name, with diacritics")
    kind: UnitKind
    parent_code: str | None = Field(default=None, pattern=r"^[A-Z0-9_-]{2,40}$")


class UnitRead(BaseModel):
    """A unit as returned by the API."""

    id: str
    code: str
    name: str
    kind: str
    parent_code: str | None
    status: str
    created_at: datetime
