"""Registration's request and response bodies: units and their reorganisation, officials (import, dossier),
training-need registrations, postgraduate dispatches."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.exports import PlainText
from shared.free_text import FreeText

# --- Units and their reorganisation ---


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


# --- Officials, their import and dossier ---


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


# --- Training-need registrations ---


class RegistrationCreate(BaseModel):
    """A unit officer registers one of their unit's officials for a programme and plan year."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    official_id: UUID
    programme_code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    plan_year: int = Field(ge=2000, le=2100)
    class_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    note: FreeText = Field(default="", max_length=2000)


class FindingRead(BaseModel):
    """One check's result."""

    code: str
    severity: str
    message_vi: str
    message_en: str
    rule: str | None = None
    rule_version: str | None = None
    evaluated_on: date | None = None
    rule_source_vi: str | None = None
    rule_source_en: str | None = None


class RegistrationRead(BaseModel):
    """A registration with its findings and outcome."""

    id: str
    official_id: str
    official_name: str
    unit_code: str
    programme_code: str
    plan_year: int
    class_id: str | None
    class_start: date | None
    class_end: date | None
    status: str
    outcome: str
    findings: list[FindingRead]
    policy_version: str
    rule_date: date | None = None
    rule_date_source: str | None = Field(default=None, description="plan_dispatch_date | submission_date")
    review_comment: str
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    review_workflow_id: str | None = None
    managing_body: str | None = Field(default=None, description="the body that manages the official "
                                      "(standing_committee | organization_board | unit_leadership)")
    authority_rule: str | None = Field(default=None, description="the management-authority rule that named it: "
                                       "<version_id>#<rule id>")


# --- Postgraduate dispatches ---


class DispatchCreate(BaseModel):
    """The Organization Board dispatches an official to a postgraduate programme."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    programme_code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    dispatched_on: date = Field(description="the dispatch decision's date: the rule in force then applies")
    training_months: int = Field(ge=1, le=120)
    cost: int = Field(ge=0, le=10**12, description="training cost paid by the state, in đồng")
    returned_on: date | None = Field(default=None, description="when the official is back at work (if known)")


class DispatchLeave(BaseModel):
    """The official leaves service before the commitment is served."""

    model_config = ConfigDict(extra="forbid")

    left_on: date
    returned_on: date | None = Field(default=None, description="back at work after training (default: as recorded, "
                                     "else the dispatch date plus the training months)")


class DispatchRead(BaseModel):
    """A dispatch with its commitment, the rule it was decided by and any refund, with a line in words."""

    id: str
    official_id: str
    programme_code: str
    dispatched_on: date
    training_months: int
    cost: int
    commitment_months: int
    policy_version: str
    returned_on: date | None
    left_on: date | None
    served_months: int | None
    refund: int | None
    line_vi: str
    line_en: str
    managing_body: str | None = Field(default=None, description="the body that manages the official, whose "
                                      "approvers alone may record the dispatch")
    authority_rule: str | None = Field(default=None, description="<version_id>#<rule id> of the rule applied")


class RegistrationCheckRead(BaseModel):
    """What the real registration would get, from the same checks, with nothing written (no row, event, audit)."""

    official_id: str
    official_name: str
    unit_code: str
    programme_code: str
    programme_title: str | None = None
    plan_year: int
    class_id: str | None
    outcome: str = Field(description="accepted | flagged | refused | duplicate")
    findings: list[FindingRead]
    policy_version: str
    rule_date: date
    rule_date_source: str
    duplicate_registration_id: str | None = None
