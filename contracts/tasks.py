"""What each kind of human task shows the person who decides: one typed view per kind.

A workflow builds the view of its kind (``RegistrationReviewView(...)``) and files it with ``dossier_of(view)``;
the portal checks a filed dossier against its kind's schema (``parse_view``) before it accepts the task, and renders
the kind's template from the parsed view. Nothing here is free-form: an unknown key is refused (``extra="forbid"``).

Kept free of I/O and of heavy imports: workflow code passes it through the sandbox.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskView(_Part):
    """The base of every kind's view."""

    kinds: ClassVar[tuple[str, ...]] = ()
    subject_user_id: str | None = None  # the person the task is about, when it is (nobody decides on themselves)


# ---------------------------------------------------------------- registration review
class Finding(_Part):
    """One check's result on a registration: its severity and the rule in words."""

    code: str
    severity: Literal["info", "warning", "error"] = "warning"
    message_vi: str
    message_en: str


def finding_of(raw: dict[str, Any]) -> Finding:
    """A finding as registration's event carries it (an older event's single ``message`` serves both languages)."""
    code = str(raw.get("code") or "")
    severity = raw.get("severity") if raw.get("severity") in ("info", "warning", "error") else "warning"
    vi = str(raw.get("message_vi") or raw.get("message") or code)
    return Finding(code=code, severity=severity, message_vi=vi, message_en=str(raw.get("message_en") or vi))


class RegistrationReviewView(TaskView):
    """A flagged training-need registration before the Organization Board."""

    kinds: ClassVar[tuple[str, ...]] = ("registration_review",)
    registration_id: str
    official_name: str
    unit_code: str
    programme_code: str
    plan_year: int
    unit_name: str = ""  # the names, when the filing workflow knows them (else the portal shows the codes)
    programme_name: str = ""
    class_id: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    policy_version: str = ""


# ---------------------------------------------------------------- class below target
class BelowTargetView(TaskView):
    """A class below its enrolment target at the deadline."""

    kinds: ClassVar[tuple[str, ...]] = ("class_below_target",)
    class_id: str
    class_code: str
    programme_code: str
    programme_name: str = ""
    enrolled: int = Field(ge=0)
    target: int = Field(ge=0)
    capacity: int = Field(ge=0)
    enrolment_deadline: str
    start_date: str
    end_date: str


# ---------------------------------------------------------------- nomination and screening
class Nominee(_Part):
    """One nominee (the id is selection's candidate id, never shown)."""

    candidate_id: str
    full_name: str
    unit_code: str
    group_code: str
    detail: str = ""  # why (the tally, or the screening reason) in words
    unit_name: str = ""


class NominationConfirmationView(TaskView):
    """The nominees the conferences proposed, for the Board to confirm."""

    kinds: ClassVar[tuple[str, ...]] = ("nomination_confirmation",)
    proposed: list[Nominee] = Field(default_factory=list)
    ballots_returned: int | None = None


class ScreeningConfirmationView(TaskView):
    """The pre-screening result: who meets the criteria, who does not and why, as of the records' snapshot."""

    kinds: ClassVar[tuple[str, ...]] = ("screening_confirmation",)
    eligible: list[Nominee] = Field(default_factory=list)
    ineligible: list[Nominee] = Field(default_factory=list)
    snapshot_at: str
    records_digest: str = ""


# ---------------------------------------------------------------- marking
Component = Literal["essay", "interview"]


class PaperView(TaskView):
    """One anonymous paper for one examiner: the code only, never a name, a unit or another marker's mark."""

    kinds: ClassVar[tuple[str, ...]] = ("essay_mark", "interview_score")
    code: str
    component: Component
    paper_ref: str


class DiscrepancyView(TaskView):
    """Markers disagree beyond the band: the marks, the spread, and the band rule that sent it here."""

    kinds: ClassVar[tuple[str, ...]] = ("mark_discrepancy",)
    code: str
    component: Component
    marks: list[str]
    spread: str
    paper_ref: str
    resolve_max_spread: str | None = None
    council_chair_min_spread: str | None = None
    scale: str | None = None
    policy_version: str | None = None
    head_mark: str | None = None  # the marking head's mark, when the chair decides after the head


class TieBreakView(TaskView):
    """Candidates tied at the last seats, for the council chair to order."""

    kinds: ClassVar[tuple[str, ...]] = ("tie_break",)
    candidate_ids: list[str]
    open_seats: int = Field(ge=0)
    rank: int = Field(ge=1)
    group_code: str = ""
    candidates: list[TiedCandidate] = Field(default_factory=list)


class TiedCandidate(_Part):
    """A tied candidate's scores (by the anonymous code when the name is not known)."""

    candidate_id: str
    full_name: str = ""
    code: str = ""
    total: str = ""
    specialised: str = ""
    essay: str = ""


# ---------------------------------------------------------------- committee
class ShortlistCandidate(_Part):
    """A candidate on a group's shortlist, in rank order."""

    candidate_id: str
    full_name: str
    unit_code: str
    rank: int = Field(ge=1)
    total: str
    unit_name: str = ""


class CommitteeVoteView(TaskView):
    """One member's ballot on a group's shortlist."""

    kinds: ClassVar[tuple[str, ...]] = ("committee_vote",)
    group: str
    group_name: str = ""
    candidates: list[ShortlistCandidate]
    members: int | None = Field(default=None, ge=1)
    fraction: str = "0.5"
    policy_version: str = ""
    seats: int | None = Field(default=None, ge=0)


class CommitteeDecisionView(TaskView):
    """The chair records the decision number once the members have voted."""

    kinds: ClassVar[tuple[str, ...]] = ("committee_decision",)
    group: str
    group_name: str = ""
    votes_cast: int = Field(ge=0)
    members: int = Field(ge=0)


TieBreakView.model_rebuild()

VIEWS: tuple[type[TaskView], ...] = (
    RegistrationReviewView, BelowTargetView, NominationConfirmationView, ScreeningConfirmationView, PaperView,
    DiscrepancyView, TieBreakView, CommitteeVoteView, CommitteeDecisionView)


def schema_of(kind: str) -> type[TaskView] | None:
    """The view schema of a kind of task (None for a kind without one, e.g. the portal's probe)."""
    for view in VIEWS:
        if kind in view.kinds:
            return view
    return None


def dossier_of(view: TaskView) -> dict[str, Any]:
    """The view as the task carries it (plain JSON data)."""
    return view.model_dump(mode="json", exclude_none=True)  # an unset optional is left out, as before


class DossierInvalid(ValueError):
    """A filed dossier that does not fit its kind's schema."""

    def __init__(self, kind: str, error: ValidationError) -> None:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
        super().__init__(f"task_dossier_invalid: the {kind} dossier does not fit its schema ({', '.join(fields)})")
        self.kind, self.fields = kind, fields


def parse_view(kind: str, dossier: dict[str, Any]) -> TaskView | None:
    """The typed view of a filed dossier (None when the kind has no schema); DossierInvalid when it does not fit."""
    schema = schema_of(kind)
    if schema is None:
        return None
    try:
        return schema.model_validate(dossier)
    except ValidationError as exc:
        raise DossierInvalid(kind, exc) from exc
