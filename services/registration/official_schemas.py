"""Officials' request and response bodies."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.exports import PlainText

Gender = Literal["male", "female"]
Category = Literal["cadre", "civil_servant", "public_employee"]
Education = Literal["college", "bachelor", "master", "doctorate"]
PoliticalTheory = Literal["none", "elementary", "intermediate", "advanced"]
Rating = Literal["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
PositionLevel = Literal["central", "provincial_leader", "provincial_department_head", "provincial_section_head",
                        "provincial_deputy_section_head", "district_leader", "district_section_head",
                        "district_deputy_section_head", "commune_chair", "commune_section_head",
                        "commune_deputy_section_head", "staff"]
UNIT_CODE = r"^[A-Z0-9_-]{2,40}$"


class BirthIn(BaseModel):
    """A birth date known to the day, to the month, or to the year only."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1900, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)


class PlanningEntry(BaseModel):
    """A cadre-planning entry (quy hoạch)."""

    model_config = ConfigDict(extra="forbid")

    position: str = Field(min_length=1, max_length=200)
    term: str = Field(min_length=1, max_length=40, description="e.g. 2025-2030")
    approved_on: date | None = None
    level: Literal["central", "provincial", "district", "commune"] | None = Field(
        default=None, description="the level of the planned position (QĐ 377: at most 3 positions at one level)")
    unit_code: str | None = Field(default=None, pattern=UNIT_CODE,
                                  description="the unit whose position it is (default: the official's own unit)")


class DisciplineEntry(BaseModel):
    """A discipline record (kỷ luật)."""

    model_config = ConfigDict(extra="forbid")

    date: date
    level: str = Field(min_length=1, max_length=60, description="reprimand | warning | dismissal …")


class OfficialCreate(BaseModel):
    """An official's record (created, or updated when the personal id is already known)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    personal_id: str = Field(min_length=1, max_length=20, description="12-digit personal identification number")
    full_name: PlainText = Field(min_length=2, max_length=200)
    gender: Gender
    birth: BirthIn
    unit_code: str = Field(pattern=UNIT_CODE)
    category: Category
    position: PlainText | None = Field(default=None, max_length=200)
    position_level: PositionLevel | None = Field(default=None, description="the management level of the position")
    title: PlainText | None = Field(default=None, max_length=200)
    civil_service_rank: PlainText | None = Field(default=None, max_length=120)
    education: Education | None = None
    political_theory: PoliticalTheory = "none"
    party_join_date: date | None = None
    service_start: date | None = None
    ratings: dict[str, Rating] = Field(default_factory=dict)
    planning: list[PlanningEntry] = Field(default_factory=list)
    discipline: list[DisciplineEntry] = Field(default_factory=list)


class OfficialSummary(BaseModel):
    """An official in a list (personal id masked)."""

    id: str
    personal_id_masked: str
    full_name: str
    gender: str
    birth: dict[str, int | None]
    unit_code: str
    category: str
    position: str | None
    title: str | None
    education: str | None
    political_theory: str
    age: int
    position_level: str | None = None


class OfficialDossier(OfficialSummary):
    """The dossier (hồ sơ): every field, derived age and retirement date; each read is recorded."""

    personal_id: str | None = None
    civil_service_rank: str | None
    party_join_date: date | None
    service_start: date | None
    ratings: dict[str, str]
    in_planning: bool
    planning: list[dict[str, Any]]
    discipline: list[dict[str, Any]]
    training_record: list[dict[str, Any]]
    retirement_date: date
    retirement_policy_version: str
    unit_history: list[dict[str, Any]]
    service_commitments: list[dict[str, Any]] = []


class ImportRow(BaseModel):
    """One row of an import file, as read by the client (values as text)."""

    row: int = Field(ge=1)
    values: dict[str, Any]


class ImportBatch(BaseModel):
    """A batch of rows of one import file."""

    model_config = ConfigDict(extra="forbid")

    rows: list[ImportRow] = Field(max_length=2000)
    unit_code: str | None = Field(default=None, pattern=UNIT_CODE, description="the unit of rows without one")


class RowError(BaseModel):
    """A bad row's complaint: row number, column, message in both languages."""

    row: int
    column: str
    code: str
    message_vi: str
    message_en: str


class ImportReport(BaseModel):
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = Field(default_factory=list)


class DossierReadEntry(BaseModel):
    """One recorded read of a dossier."""

    official_id: str
    reader_id: str
    reader_roles: str
    read_at: str
