"""What the workflows and scheduling's activities exchange (queue ``scheduling``): plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts import queues
from contracts.activity import stub


@dataclass(frozen=True)
class RecordUnitInput:
    """Ask scheduling to know a unit registered in registration."""

    unit_id: str
    code: str
    name: str
    kind: str
    source_event_id: str


@dataclass(frozen=True)
class RecordUnitResult:
    """What scheduling did: created the unit, or already had it."""

    code: str
    created: bool


def class_lifecycle_id(class_id: str) -> str:
    """A class's lifecycle workflow id (one per class: starting it twice starts nothing new)."""
    return f"class-lifecycle-{class_id}"


@dataclass(frozen=True)
class ClassLifecycleInput:
    """Start a class's lifecycle (one workflow per class, id ``class-lifecycle-<class_id>``)."""

    class_id: str
    class_code: str = ""


@dataclass(frozen=True)
class ClassRef:
    """A class, and the workflow acting on it (for the audit record)."""

    class_id: str
    workflow_id: str = ""
    run_id: str = ""


@dataclass(frozen=True)
class ClassTimeline:
    """A class's status and dates (ISO), as the lifecycle needs them."""

    class_id: str
    class_code: str
    programme_code: str
    status: str
    enrolment_deadline: str
    start_date: str
    end_date: str
    close_requested: bool = False  # the Board asked to close enrolment early (maybe before the workflow ran)


@dataclass(frozen=True)
class EnrolmentCheck:
    """Enrolled against target when enrolment closed."""

    class_id: str
    status: str
    enrolled: int
    target: int
    capacity: int
    below_target: bool
    waitlist: list[str] = field(default_factory=list)  # the names waiting, in Vietnamese order
    merge_options: list[MergeOption] = field(default_factory=list)  # same-programme classes with seats left


@dataclass(frozen=True)
class MergeOption:
    """A class of the same programme that could take this class's officials."""

    class_id: str
    class_code: str
    start_date: str
    end_date: str
    seats_left: int


@dataclass(frozen=True)
class BelowTargetDecisionInput:
    """The Organization Board's decision on a class below target, to apply in scheduling."""

    class_id: str
    decision_ref: str
    action: str  # open_anyway | extend | merge | cancel
    days: int | None
    target_class_id: str | None
    comment: str
    actor_id: str
    actor_role: str
    on_behalf_of: str | None
    workflow_id: str
    run_id: str


@dataclass(frozen=True)
class BelowTargetOutcome:
    """What applying the decision did (``applied`` false: refused, e.g. a merge target that cannot take them)."""

    class_id: str
    applied: bool
    status: str
    enrolment_deadline: str
    reason_en: str = ""
    reason_vi: str = ""


@dataclass(frozen=True)
class ResultsCheck:
    """How many participants still lack marks."""

    class_id: str
    status: str
    missing: int


@dataclass(frozen=True)
class CompletionResult:
    """A completed class's outcome."""

    class_id: str
    status: str
    passed: int = 0
    failed: int = 0
    incomplete: int = 0


# ---------------------------------------------------------------- the lifecycle's signals and query, by name
CLOSE_ENROLMENT_SIGNAL = "close_enrolment"  # the Organization Board closes enrolment before the deadline
RESULTS_RECORDED_SIGNAL = "results_recorded"  # institution staff recorded marks
LIFECYCLE_STATUS_QUERY = "status"  # the lifecycle's phase and the decisions taken


# ---------------------------------------------------------------- scheduling's activities (typed references)
@stub("record_unit", queues.SCHEDULING, seconds=30)  # named before the service prefix: running UnitSyncs replay it
async def record_unit(inp: RecordUnitInput) -> RecordUnitResult:
    """Know a unit registered in registration (a retry finds it known and changes nothing)."""
    raise NotImplementedError


@stub("scheduling.open_enrolment", queues.SCHEDULING)
async def open_enrolment(ref: ClassRef) -> ClassTimeline:
    """planned → enrolling."""
    raise NotImplementedError


@stub("scheduling.expire_offers", queues.SCHEDULING)
async def expire_offers(ref: ClassRef) -> int:
    """Lapse waitlist offers not accepted in time and offer the seats on; how many lapsed."""
    raise NotImplementedError


@stub("scheduling.close_enrolment", queues.SCHEDULING)
async def close_enrolment(ref: ClassRef) -> EnrolmentCheck:
    """At the deadline: enrolled against target."""
    raise NotImplementedError


@stub("scheduling.apply_below_target_decision", queues.SCHEDULING)
async def apply_below_target_decision(inp: BelowTargetDecisionInput) -> BelowTargetOutcome:
    """Open anyway, extend, merge or cancel."""
    raise NotImplementedError


@stub("scheduling.start_class", queues.SCHEDULING)
async def start_class(ref: ClassRef) -> ClassTimeline:
    """enrolling → running."""
    raise NotImplementedError


@stub("scheduling.results_status", queues.SCHEDULING)
async def results_status(ref: ClassRef) -> ResultsCheck:
    """How many participants still lack marks."""
    raise NotImplementedError


@stub("scheduling.complete_class", queues.SCHEDULING)
async def complete_class(ref: ClassRef) -> CompletionResult:
    """Score, number certificates, publish ClassCompleted."""
    raise NotImplementedError
