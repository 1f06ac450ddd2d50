"""Registration's request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.exports import PlainText


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
    name: PlainText = Field(min_length=2, max_length=300, description="Vietnamese name, with diacritics")
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
    successor_code: str | None = None
    closed_on: date | None = None


class NewUnit(BaseModel):
    """A unit that a reorganisation creates (or names, when it exists already)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^[A-Z0-9_-]{2,40}$")
    name: PlainText = Field(min_length=2, max_length=300)
    kind: UnitKind
    parent_code: str | None = Field(default=None, pattern=r"^[A-Z0-9_-]{2,40}$")


class ReorganisationCreate(BaseModel):
    """Merge (sources → one target), split (one source → targets), rename, or close, from an effective date."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["merge", "split", "rename", "close"]
    sources: list[str] = Field(min_length=1, max_length=50)
    targets: list[NewUnit] = Field(default_factory=list, max_length=50)
    new_name: PlainText | None = Field(default=None, min_length=2, max_length=300)
    move_to: str | None = Field(default=None, pattern=r"^[A-Z0-9_-]{2,40}$", description="close: where officials go")
    assignments: dict[str, str] = Field(default_factory=dict, description="split: official id → target code")
    effective_date: date
    decision_ref: str = Field(min_length=1, max_length=120, description="e.g. Nghị quyết 202/2025/QH15")


class ReorganisationRead(BaseModel):
    """A recorded reorganisation."""

    id: str
    kind: str
    source_codes: list[str]
    target_codes: list[str]
    old_name: str | None
    new_name: str | None
    effective_date: date
    decision_ref: str
    officials_moved: int
