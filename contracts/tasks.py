"""What each kind of human task shows the person who decides: one typed view per kind.

A workflow builds the view of its kind (``RegistrationReviewView(...)``) and files it with ``dossier_of(view)``;
the portal checks a filed dossier against its kind's schema (``parse_view``) before it accepts the task, and renders
the kind's template from the parsed view. Nothing here is free-form: an unknown key is refused (``extra="forbid"``).

Kept free of I/O and of heavy imports: workflow code passes it through the sandbox.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.logging import get_logger

log = get_logger(__name__)


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
    """A flagged training-need registration before the approvers of the official's managing body."""

    kinds: ClassVar[tuple[str, ...]] = ("registration_review",)
    registration_id: str
    official_name: str
    unit_code: str
    programme_code: str
    plan_year: int
    official_id: str = ""  # the official's record in registration, for the link to it ("" on an older event)
    unit_name: str = ""  # the names, when the filing workflow knows them (else the portal shows the codes)
    programme_name: str = ""
    class_id: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    policy_version: str = ""
    # management authority: the body that manages the official and the rule that applied, in words ("" when the
    # registration was flagged before registration recorded it)
    managing_body_vi: str = ""
    managing_body_en: str = ""
    authority_vi: str = ""
    authority_en: str = ""
    authority_version: str = ""
    facts: ReviewFacts | None = None  # None when the registration was flagged before its dossier was carried


class ClassSpan(_Part):
    """A class (or another registration) in the official's year, with its dates (ISO, "" when unknown)."""

    programme_code: str
    programme_name: str = ""  # "" when scheduling did not name it (the code is shown then)
    class_code: str = ""
    start: str = ""
    end: str = ""
    status: str = ""
    plan_year: int | None = None


class ReviewFacts(_Part):
    """What the approver of a registration reads about the person and the unit (no personal id)."""

    @classmethod
    def of(cls, raw: dict[str, Any]) -> ReviewFacts | None:
        """The facts a RegistrationFlagged carried; None when it carried none, or none of this shape."""
        if not raw:
            return None
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:  # the count only: the values are the official's
            log.warning("review_facts_invalid", kind="registration_review", errors=exc.error_count())
            return None

    programme_name: str = ""  # the registration's programme by name
    position: str = ""
    title: str = ""
    category: str = ""
    age: int | None = None
    retirement_date: str = ""
    education: str = ""
    political_theory: str = ""
    in_planning: bool = False
    planning: list[str] = Field(default_factory=list)
    class_code: str = ""
    class_start: str = ""
    class_end: str = ""
    class_institution: str = ""  # who holds the class, where, and its hours ("" / None when scheduling did not say)
    class_venue: str = ""
    class_hours: float | None = None
    trained_this_year: list[ClassSpan] = Field(default_factory=list)
    other_registrations: list[ClassSpan] = Field(default_factory=list)
    classes: list[ClassSpan] = Field(default_factory=list)
    quota_allocated: int | None = None
    quota_used: int = 0


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
    waitlist: list[str] = Field(default_factory=list)  # names, in Vietnamese order
    merge_options: list[MergeClass] = Field(default_factory=list)


class MergeClass(_Part):
    """A class of the same programme this one could merge into."""

    class_code: str
    start_date: str
    end_date: str
    seats_left: int = Field(ge=0)


# ---------------------------------------------------------------- nomination and screening
class CriterionCheck(_Part):
    """One screening criterion for one candidate: passed or not, and why, in both languages."""

    passed: bool
    explanation_vi: str
    explanation_en: str


class Nominee(_Part):
    """One nominee (the id is selection's candidate id, never shown)."""

    candidate_id: str
    full_name: str
    unit_code: str
    group_code: str
    detail: str = ""  # why (the tally, or the screening reason) in words (English when detail_vi is set)
    unit_name: str = ""
    detail_vi: str = ""
    group_name: str = ""
    criteria: list[CriterionCheck] = Field(default_factory=list)  # screening: each criterion checked


class ConferenceVote(_Part):
    """One nominee's votes at a conference and whether they passed the threshold."""

    full_name: str
    votes: int = Field(ge=0)
    proposed: bool


class ConferenceCount(_Part):
    """One conference's count: voters convened, ballots returned, the threshold and its base, each nominee."""

    code: str
    convened: int = Field(ge=0)
    ballots_returned: int = Field(ge=0)
    threshold_percent: str  # e.g. "50" (strictly more than this share of the base)
    base: Literal["convened", "present"] = "convened"
    base_count: int = Field(ge=0)
    nominees: list[ConferenceVote] = Field(default_factory=list)


class NominationConfirmationView(TaskView):
    """The nominees the conferences proposed, for the Board to confirm."""

    kinds: ClassVar[tuple[str, ...]] = ("nomination_confirmation",)
    proposed: list[Nominee] = Field(default_factory=list)
    ballots_returned: int | None = None
    conferences: list[ConferenceCount] = Field(default_factory=list)  # empty in dossiers filed before the counts


class ScreeningConfirmationView(TaskView):
    """The pre-screening result: who meets the criteria, who does not and why, as of the records' snapshot."""

    kinds: ClassVar[tuple[str, ...]] = ("screening_confirmation",)
    eligible: list[Nominee] = Field(default_factory=list)
    ineligible: list[Nominee] = Field(default_factory=list)
    snapshot_at: str
    records_digest: str = ""


# ---------------------------------------------------------------- marking
Component = Literal["essay", "interview"]


class MarkCriterion(_Part):
    """One criterion of the marking guide and the points it carries."""

    label_vi: str
    label_en: str
    points: str


class PaperView(TaskView):
    """One anonymous paper for one examiner: the code only, never a name, a unit or another marker's mark; the
    marking guide (criteria and their points), the scale, the pass mark and the component's weight."""

    kinds: ClassVar[tuple[str, ...]] = ("essay_mark", "interview_score")
    code: str
    component: Component
    paper_ref: str
    scale: str = ""  # "" in tasks filed before the guide was carried
    pass_mark: str = ""
    weight: str = ""
    criteria: list[MarkCriterion] = Field(default_factory=list)
    policy_version: str = ""


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


# ---------------------------------------------------------------- a process whose step keeps failing
class ProcessStalledView(TaskView):
    """A step of a process failed on every attempt of its bounded retries (an infrastructure error): the process
    and the step in words, the last error in words (never a stack trace or a connection string), since when."""

    kinds: ClassVar[tuple[str, ...]] = ("process_stalled",)
    process_vi: str
    process_en: str
    step_vi: str
    step_en: str
    error_vi: str
    error_en: str
    attempts: int = Field(ge=1)  # the attempts of this step so far (every round of retries)
    since: str  # when the step was first tried (ISO moment)
    stalls: int = Field(default=1, ge=1)  # the how-manieth time the step stalled (a retry that stalls again: 2 …)
    activity: str = ""  # the activity's name, for the operators' event (never shown)


RegistrationReviewView.model_rebuild()
TieBreakView.model_rebuild()
BelowTargetView.model_rebuild()

VIEWS: tuple[type[TaskView], ...] = (
    RegistrationReviewView, BelowTargetView, NominationConfirmationView, ScreeningConfirmationView, PaperView,
    DiscrepancyView, TieBreakView, CommitteeVoteView, CommitteeDecisionView, ProcessStalledView)


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
