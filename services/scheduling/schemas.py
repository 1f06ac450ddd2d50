"""Scheduling's request and response bodies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.free_text import FreeText

CODE = r"^[A-Z0-9][A-Z0-9_./-]{1,39}$"



class ProgrammeCategory(StrEnum):
    """Programme categories (glossary code names)."""

    political_theory_elementary = "political_theory.elementary"
    political_theory_intermediate = "political_theory.intermediate"
    political_theory_advanced = "political_theory.advanced"
    postgraduate_master = "postgraduate.master"
    postgraduate_doctorate = "postgraduate.doctorate"
    state_management_specialist = "state_management.specialist"
    state_management_principal = "state_management.principal"
    state_management_senior = "state_management.senior"
    leadership_title = "leadership_title"
    knowledge_update = "knowledge_update"
    defence_security_group_1 = "defence_security.group_1"
    defence_security_group_2 = "defence_security.group_2"
    defence_security_group_3 = "defence_security.group_3"
    defence_security_group_4 = "defence_security.group_4"
    professional_skills = "professional_skills"
    training_abroad = "training_abroad"
    source_cadre_class = "source_cadre_class"


class Mode(StrEnum):
    """Full-time (tập trung) or part-time (không tập trung)."""

    full_time = "full_time"
    part_time = "part_time"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeVersionCreate(Strict):
    """A programme's content from a date on."""

    name: str = Field(min_length=2, max_length=300, description="Vietnamese name, with diacritics")
    name_en: str | None = Field(default=None, min_length=2, max_length=300,
                                description="English name (the portal's English pages show the Vietnamese one without)")
    category: ProgrammeCategory
    mode: Mode
    hours: int = Field(gt=0, le=5000)
    provider: str = Field(min_length=2, max_length=300)
    target_criteria: dict[str, Any] = Field(default_factory=dict)
    effective_from: date
    effective_to: date | None = None



class ProgrammeCreate(ProgrammeVersionCreate):
    """A new programme with its first version."""

    code: str = Field(pattern=CODE)


class PlanItemCreate(Strict):
    """A programme × quota line, split per unit."""

    programme_code: str = Field(pattern=CODE)
    quota: int = Field(ge=0, le=100000)
    allocations: dict[str, int] = Field(default_factory=dict)
    priority_fields: list[str] = Field(default_factory=list, max_length=50)


class PlanCreate(Strict):
    """An annual plan."""

    number: str = Field(min_length=2, max_length=60, description="e.g. 159-KH/TU")
    year: int = Field(ge=2000, le=2100)
    title: str = Field(default="", max_length=300)
    dispatch_date: date | None = Field(default=None, description="registrations under the plan are checked by the "
                                       "rules in force on this date (default: the submission date)")
    items: list[PlanItemCreate] = Field(min_length=1, max_length=200)


class SessionCreate(Strict):
    """One session of the timetable."""

    day: date
    hours: float = Field(gt=0, le=24)
    topic: str = Field(default="", max_length=300)


class CriterionIn(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    weight: Decimal = Field(gt=0, le=1)


class EvaluationIn(Strict):
    """A class's evaluation framework: weighted criteria, a pass mark (of 10), minimum attendance share."""

    criteria: list[CriterionIn] = Field(min_length=1, max_length=10)
    pass_mark: Decimal = Field(default=Decimal(5), ge=0, le=10)
    min_attendance: Decimal = Field(default=Decimal("0.8"), ge=0, le=1)


def default_evaluation() -> EvaluationIn:
    return EvaluationIn(criteria=[CriterionIn(name="attendance", weight=Decimal("0.2")),
                                  CriterionIn(name="essay", weight=Decimal("0.3")),
                                  CriterionIn(name="final_exam", weight=Decimal("0.5"))])


class ClassCreate(Strict):
    """A new class."""

    code: str = Field(pattern=CODE)
    programme_code: str = Field(pattern=CODE)
    plan_item_id: str | None = None
    institution: str = Field(min_length=2, max_length=300)
    venue: str = Field(default="", max_length=300)
    start_date: date
    end_date: date
    capacity: int = Field(ge=0, le=10000)
    target: int = Field(ge=0, le=10000)
    enrolment_deadline: date
    offer_days: int = Field(default=3, ge=1, le=30)
    sessions: list[SessionCreate] = Field(default_factory=list, max_length=500)
    evaluation: EvaluationIn = Field(default_factory=default_evaluation)



class EnrolmentCreate(Strict):
    """Enrol a person (Organization Board)."""

    official_id: str = Field(min_length=1, max_length=64)
    official_name: str = Field(default="", max_length=300)
    unit_code: str = Field(min_length=1, max_length=40)


class BulkEnrolmentCreate(Strict):
    """Enrol several people in one class at once (Organization Board), in the order given."""

    people: list[EnrolmentCreate] = Field(min_length=1, max_length=500)


class ReasonIn(Strict):
    reason: FreeText = Field(default="", max_length=1000)


class PlaceRequest(Strict):
    class_id: str = Field(min_length=1, max_length=36)


class AttendanceIn(Strict):
    """Who was present at a session (everyone else enrolled is recorded absent)."""

    session_id: str = Field(min_length=1, max_length=36)
    present: list[str] = Field(default_factory=list, description="official ids present")


class ParticipantMarks(Strict):
    official_id: str = Field(min_length=1, max_length=64)
    marks: dict[str, Decimal] = Field(default_factory=dict)


class ResultsIn(Strict):
    """Marks per participant for the framework's scored criteria (0–10)."""

    results: list[ParticipantMarks] = Field(min_length=1)
