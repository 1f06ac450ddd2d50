"""Selection's request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.free_text import FreeText

CODE = r"^[A-Za-z0-9_.-]{1,40}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CriteriaIn(_In):
    """A target group's criteria (GroupCriteria); None switches a criterion off."""

    max_age: int | None = Field(default=None, ge=18, le=70)
    min_political_theory: Literal["none", "elementary", "intermediate", "advanced"] | None = None
    min_education: Literal["none", "secondary", "college", "bachelor", "master", "doctorate"] | None = None
    rating_years: int = Field(default=0, ge=0, le=10)
    min_rating: Literal["KHTNV", "HTNV", "HTTNV", "HTXSNV"] = "HTNV"
    require_in_planning: bool = False
    min_service_years: int | None = Field(default=None, ge=0, le=50)
    require_term_before_retirement: bool = True
    check_discipline: bool = True


class GroupIn(_In):
    """A target group with its seats."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=300)
    seats: int = Field(ge=1, le=10_000)
    class_id: str | None = Field(default=None, max_length=64, description="the group's source-cadre class")
    criteria: CriteriaIn = Field(default_factory=CriteriaIn)


class ConferenceIn(_In):
    """A nomination conference and its voter roster."""

    code: str = Field(pattern=CODE)
    unit_code: str | None = Field(default=None, pattern=r"^[A-Z0-9_-]{2,40}$")
    roster: list[str] = Field(min_length=1, max_length=5000)
    max_names: int = Field(ge=1, le=100)
    close_at: datetime
    threshold: Decimal | None = Field(default=None, ge=0, le=1)
    base: Literal["convened", "present"] | None = None

    @model_validator(mode="after")
    def _distinct_roster(self) -> ConferenceIn:
        if len(set(self.roster)) != len(self.roster):
            raise ValueError("the roster names a voter twice / danh sách triệu tập có người trùng lặp")
        return self


class PersonIn(_In):
    """An examiner or a panel member, with their unit (for conflict of interest)."""

    user_id: str = Field(min_length=1, max_length=120)
    unit_code: str | None = Field(default=None, max_length=40)


class ExamIn(_In):
    """Exam settings: components and weights, the specialised component, who marks."""

    weights: dict[str, Decimal] = Field(default_factory=lambda: {"essay": Decimal("0.5"),
                                                                 "interview": Decimal("0.5")})
    specialised_component: str = "interview"
    pass_mark: Decimal | None = Field(default=None, ge=0, le=100)
    examiners: list[PersonIn] = Field(min_length=2)
    interview_panel: list[PersonIn] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> ExamIn:
        if set(self.weights) != {"essay", "interview"}:
            raise ValueError("components must be essay and interview / các phần thi: essay và interview")
        if sum(self.weights.values(), Decimal(0)) != 1 or any(w < 0 for w in self.weights.values()):
            raise ValueError("weights must be non-negative and sum to 1 / trọng số không âm, tổng bằng 1")
        if self.specialised_component not in self.weights:
            raise ValueError("specialised_component must be a component / phải là một phần thi")
        return self


class CommitteeIn(_In):
    """The Standing Committee: members and chair."""

    members: list[str] = Field(min_length=1, max_length=100)
    chair: str = Field(min_length=1, max_length=120)

    @model_validator(mode="after")
    def _chair_is_member(self) -> CommitteeIn:
        if self.chair not in self.members or len(set(self.members)) != len(self.members):
            raise ValueError("the chair must be a member; members distinct / bí thư phải là ủy viên")
        return self


class DeadlinesIn(_In):
    """Deadlines of the steps (the nomination step closes at the latest conference close)."""

    nomination_confirmation: datetime
    screening: datetime
    marking: datetime
    committee: datetime


class CampaignCreate(_In):
    """A new campaign."""

    number: str = Field(pattern=r"^[0-9A-Za-zĐđ/._-]{2,60}$", examples=["134-KH/TU"])
    title: str = Field(min_length=2, max_length=300)
    proposal_date: date
    groups: list[GroupIn] = Field(min_length=1, max_length=20)
    conferences: list[ConferenceIn] = Field(min_length=1, max_length=500)
    exam: ExamIn
    committee: CommitteeIn
    deadlines: DeadlinesIn

    @model_validator(mode="after")
    def _distinct_codes(self) -> CampaignCreate:
        for name, codes in (("groups", [g.code for g in self.groups]),
                            ("conferences", [c.code for c in self.conferences])):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{name}: codes must be distinct / mã trùng lặp")
        return self


class CampaignRead(BaseModel):
    """A campaign's status."""

    id: str
    number: str
    title: str
    status: str
    step: str
    workflow_id: str
    marking_closed: bool
    groups: list[dict[str, Any]]
    policy: dict[str, str]
    created_at: datetime


class NominationIn(_In):
    """A unit proposes a nominee with its evaluation."""

    official_id: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=2, max_length=200)
    unit_code: str = Field(pattern=r"^[A-Z0-9_-]{2,40}$")
    group_code: str = Field(pattern=CODE)
    evaluation: FreeText = Field(min_length=2, max_length=4000)


class NominationRead(BaseModel):
    """A nominee as recorded."""

    id: str
    official_id: str
    full_name: str
    unit_code: str
    group_code: str
    stage: str


class ConferenceCloseIn(_In):
    """Why the Board ends a conference's ballot before its close time."""

    reason: FreeText = Field(min_length=2, max_length=1000)


class TokensRead(BaseModel):
    """Ballot tokens, returned once: one per voter of the roster, to be handed out in person."""

    conference: str
    tokens: list[str]


class BallotIn(_In):
    """A secret ballot: the token is the credential; up to k names."""

    token: str = Field(min_length=16, max_length=200)
    nominees: list[str] = Field(max_length=100)
