"""Training-need registrations: request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.free_text import FreeText


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
