"""What the selection workflows and selection's activities exchange (queue ``selection``): plain dataclasses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from contracts import queues
from contracts.activity import stub

STEPS = ("nomination", "screening", "examination", "committee", "decided")


def campaign_workflow_id(number: str) -> str:
    """The campaign workflow's id, derived from the campaign number (so starts are idempotent)."""
    return "selection-campaign-" + re.sub(r"[^0-9A-Za-z_.-]", "_", number)


@dataclass
class CampaignInput:
    """The campaign workflow's input; `resume_from` is set when it continues as new at a step boundary."""

    campaign_id: str
    resume_from: str = "nomination"
    continue_after_events: int = 10_000
    tie_orders: dict[str, list[str]] = field(default_factory=dict)  # the council chair's orders, carried over


@dataclass
class ConferencePlan:
    """A conference to run as a child workflow."""

    conference_id: str
    code: str
    close_at: str  # ISO 8601 with offset


@dataclass
class PersonPlan:
    """An examiner or panel member."""

    user_id: str
    unit_code: str | None = None


@dataclass
class GroupPlan:
    """A target group's seats."""

    code: str
    name: str
    seats: int


@dataclass
class CampaignPlan:
    """What the campaign workflow needs from the campaign's settings."""

    campaign_id: str
    number: str
    conferences: list[ConferencePlan]
    groups: list[GroupPlan]
    deadlines: dict[str, str]
    examiners: list[PersonPlan]
    interview_panel: list[PersonPlan]
    bands: dict[str, str]  # resolve_max_spread, council_chair_min_spread, scale, version_id
    committee_members: list[str]
    committee_chair: str
    committee_fraction: str
    committee_policy: str
    # component -> its marking criteria [{"vi", "en", "points"}] (exam_marking) and its weight in the total;
    # empty in plans made before they were carried
    marking_guide: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    weights: dict[str, str] = field(default_factory=dict)


@dataclass
class CampaignRef:
    """Names a campaign."""

    campaign_id: str


@dataclass
class StepInput:
    """Move the campaign to a step."""

    campaign_id: str
    step: str


@dataclass
class ConferenceInput:
    """The conference child's input."""

    campaign_id: str
    conference_id: str
    code: str
    close_at: str


@dataclass
class ConferenceOutcome:
    """A closed conference's tally in brief (no voter data)."""

    conference_id: str
    ballots_returned: int
    proposed: list[str]
    tally: ConferenceTallySummary | None = None  # the tally for the Board's dossier (absent in older histories)


@dataclass
class TalliedNominee:
    """One nominee's votes at a conference and whether the threshold was passed."""

    candidate_id: str
    full_name: str
    votes: int
    proposed: bool


@dataclass
class ConferenceTallySummary:
    """A closed conference's count: who was convened, the ballots returned, the threshold and its base."""

    code: str
    convened: int
    ballots_returned: int
    threshold: str  # a decimal fraction, e.g. "0.5"
    base: str  # convened | present
    base_count: int
    nominees: list[TalliedNominee] = field(default_factory=list)


@dataclass
class NomineeSummary:
    """One nominee in a confirmation dossier (ids are selection's candidate ids, not personal ids)."""

    candidate_id: str
    full_name: str
    unit_code: str
    group_code: str
    detail: str = ""  # in English (runs begun before detail_vi carry only this)
    proposed_by: str = ""  # who put the nomination forward (excluded from confirming it)
    detail_vi: str = ""
    # screening: each criterion checked, {"passed": bool, "explanation_vi", "explanation_en"}
    criteria: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DecisionInput:
    """A person's decision for selection to apply and audit."""

    campaign_id: str
    kind: str  # nomination_confirmation | screening_override | screening_confirmation | tie_break
    actor_id: str
    actor_role: str
    action: str
    comment: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    on_behalf_of: str | None = None
    task_id: str = ""


@dataclass
class ScreenInput:
    """Pre-screen every confirmed nominee as of a snapshot time."""

    campaign_id: str
    snapshot_at: str


@dataclass
class ScreeningSummary:
    """The eligible and ineligible lists."""

    eligible: list[NomineeSummary]
    ineligible: list[NomineeSummary]
    snapshot_at: str
    digest: str


@dataclass
class Paper:
    """An anonymous paper to mark: the code and the unit that may not mark it."""

    code: str
    unit_code: str


@dataclass
class PaperInput:
    """One component of one candidate's paper, as the marking child marks it."""

    campaign_id: str
    code: str
    unit_code: str
    component: str  # essay | interview
    markers: list[str]
    due_in_seconds: int
    bands: dict[str, str]
    campaign_number: str = ""  # the tasks' campaign label (an inbox filters on it); "" in runs begun before it
    criteria: list[dict[str, str]] = field(default_factory=list)  # what the examiner marks, with its points
    weight: str = ""  # the component's weight in the total ("" in runs begun before it)


@dataclass
class MarkingInput:
    """A marking child's input: the components (essay and interview) of a paper, each marked on its own."""

    campaign_id: str
    components: list[PaperInput]


@dataclass
class MarkRecord:
    """One marker's mark, or a discrepancy decision, for selection to record and audit."""

    campaign_id: str
    code: str
    component: str
    marker_id: str
    marker_role: str
    mark: str
    kind: str = "mark"  # mark | discrepancy
    comment: str = ""


@dataclass
class ComponentResult:
    """A component's final score for one paper."""

    campaign_id: str
    code: str
    component: str
    score: str
    marks: list[str]
    spread: str
    decided_by: str
    # the marks (and a discrepancy decision) behind the score, recorded and audited with it in one unit of work;
    # empty from a run that recorded each mark on its own (``record_mark``) before this
    records: list[MarkRecord] = field(default_factory=list)


@dataclass
class CloseMarkingInput:
    """Close marking: totals, pass, ranking; `tie_orders` holds the chair's order of tied groups."""

    campaign_id: str
    tie_orders: dict[str, list[str]] = field(default_factory=dict)  # "group:rank" → candidate ids


@dataclass
class ShortlistEntry:
    """A candidate going to the committee."""

    candidate_id: str
    full_name: str
    unit_code: str
    rank: int
    total: str


@dataclass
class TieAtCutoff:
    """A tied group straddling the last seat."""

    group_code: str
    rank: int
    candidate_ids: list[str]
    open_seats: int
    # each tied candidate {"candidate_id", "full_name", "total", "specialised", "essay"} (empty in older runs)
    candidates: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ExamSummary:
    """The shortlists per group and any tie the council chair must order."""

    shortlists: dict[str, list[ShortlistEntry]]
    ties: list[TieAtCutoff]


@dataclass
class CommitteeInput:
    """The committee child's input: one group's list."""

    campaign_id: str
    group_code: str
    group_name: str
    candidates: list[ShortlistEntry]
    members: list[str]
    chair: str
    fraction: str
    policy_version: str
    vote_due_in_seconds: int
    campaign_number: str = ""  # the tasks' campaign label (an inbox filters on it); "" in runs begun before it
    seats: int | None = None  # the group's seats (None in runs begun before it)


@dataclass
class CommitteeRecord:
    """The votes and the decision number, for selection to count, record and publish."""

    campaign_id: str
    group_code: str
    candidate_ids: list[str]
    votes: list[dict[str, str]]  # member_id, candidate_id, choice
    decision_number: str
    chair_id: str


@dataclass
class CommitteeOutcome:
    """Who the committee approved for one group."""

    group_code: str
    decision_number: str
    selected: list[str]


# ---------------------------------------------------------------- signals and queries, by name
CLOSE_CONFERENCE_SIGNAL = "close_now"  # a conference ended early: close its ballot now
STATUS_QUERY = "status"  # a campaign's step, a conference's or a committee vote's phase
PROGRESS_QUERY = "progress"  # how many marks of a paper are in (never the marks)


# ---------------------------------------------------------------- selection's activities (typed references)
@stub("selection.plan", queues.SELECTION)
async def plan(ref: CampaignRef) -> CampaignPlan:
    """The campaign's plan (conferences, deadlines, people, bands)."""
    raise NotImplementedError


@stub("selection.set_step", queues.SELECTION)
async def set_step(inp: StepInput) -> None:
    """Move the campaign to a step."""
    raise NotImplementedError


@stub("selection.close_conference", queues.SELECTION)
async def close_conference(inp: ConferenceInput) -> ConferenceOutcome:
    """Close a conference and tally its ballots."""
    raise NotImplementedError


@stub("selection.proposals", queues.SELECTION)
async def proposals(ref: CampaignRef) -> list[NomineeSummary]:
    """The proposed nominees, for the Board's confirmation dossier."""
    raise NotImplementedError


@stub("selection.apply_decision", queues.SELECTION)
async def apply_decision(inp: DecisionInput) -> None:
    """Apply and audit a person's decision."""
    raise NotImplementedError


@stub("selection.screen_candidates", queues.SELECTION)
async def screen_candidates(inp: ScreenInput) -> ScreeningSummary:
    """Read every confirmed nominee's record and evaluate the criteria."""
    raise NotImplementedError


@stub("selection.prepare_exam", queues.SELECTION)
async def prepare_exam(ref: CampaignRef) -> list[Paper]:
    """Anonymisation codes for the eligible candidates."""
    raise NotImplementedError


@stub("selection.record_mark", queues.SELECTION)
async def record_mark(inp: MarkRecord) -> None:
    """Record one mark or discrepancy decision."""
    raise NotImplementedError


@stub("selection.record_component", queues.SELECTION)
async def record_component(inp: ComponentResult) -> None:
    """Record a paper's component score."""
    raise NotImplementedError


@stub("selection.close_marking", queues.SELECTION)
async def close_marking(inp: CloseMarkingInput) -> ExamSummary:
    """Totals, pass mark, ranking, shortlists."""
    raise NotImplementedError


@stub("selection.record_committee", queues.SELECTION)
async def record_committee(inp: CommitteeRecord) -> CommitteeOutcome:
    """Count the committee's votes, record the decision, publish the list."""
    raise NotImplementedError
