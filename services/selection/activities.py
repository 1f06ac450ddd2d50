"""Selection's activities on the `selection` queue; every decision they apply is audited with workflow/run ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio import activity

from contracts import selection as contract
from contracts.activity import implements
from contracts.selection import (
    CampaignPlan,
    CampaignRef,
    CloseMarkingInput,
    CommitteeOutcome,
    CommitteeRecord,
    ComponentResult,
    ConferenceInput,
    ConferenceOutcome,
    DecisionInput,
    ExamSummary,
    MarkRecord,
    NomineeSummary,
    Paper,
    ScreeningSummary,
    ScreenInput,
    StepInput,
)
from services.selection.adapters.directory import OfficialDirectory
from services.selection.service import ballots, decision, exam, screening
from shared.context import ServiceContext
from shared.logging import get_logger
from shared.marking import bands_of
from shared.temporal_errors import maps_domain_errors
from shared.uow import unit_of_work

log = get_logger(__name__)


def _wf() -> tuple[str | None, str | None]:
    info = activity.info()
    return info.workflow_id, info.workflow_run_id


class SelectionActivities:
    """Activities with the service context and the officials' directory injected."""

    def __init__(self, ctx: ServiceContext, directory: OfficialDirectory) -> None:
        self.ctx = ctx
        self.directory = directory

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, for the worker."""
        return [self.plan, self.set_step, self.close_conference, self.proposals, self.apply_decision,
                self.screen_candidates, self.prepare_exam, self.record_mark, self.record_component,
                self.close_marking, self.record_committee]

    @implements(contract.plan)
    @maps_domain_errors
    async def plan(self, ref: CampaignRef) -> CampaignPlan:
        """The campaign's plan (conferences, deadlines, people, bands)."""
        async with unit_of_work(self.ctx) as uow:
            return await decision.campaign_plan(uow, campaign_id=ref.campaign_id)

    @implements(contract.set_step)
    @maps_domain_errors
    async def set_step(self, inp: StepInput) -> None:
        """Move the campaign to a step."""
        async with unit_of_work(self.ctx) as uow:
            await screening.set_step(uow, campaign_id=inp.campaign_id, step=inp.step)
        log.info("campaign_step", campaign_id=inp.campaign_id, step=inp.step)

    @implements(contract.close_conference)
    @maps_domain_errors
    async def close_conference(self, inp: ConferenceInput) -> ConferenceOutcome:
        """Close a conference and tally its ballots."""
        async with unit_of_work(self.ctx) as uow:
            returned, proposed = await ballots.close_conference(uow, campaign_id=inp.campaign_id,
                                                                conference_id=inp.conference_id, workflow=_wf())
            count = await ballots.conference_count(uow, conference_id=inp.conference_id)
        return ConferenceOutcome(inp.conference_id, returned, proposed, count)

    @implements(contract.proposals)
    @maps_domain_errors
    async def proposals(self, ref: CampaignRef) -> list[NomineeSummary]:
        """The proposed nominees, for the Organization Board's confirmation dossier."""
        async with unit_of_work(self.ctx) as uow:
            rows = await screening.candidates(uow, ref.campaign_id, "proposed")
            return [screening.summary(c) for c in rows]

    @implements(contract.apply_decision)
    @maps_domain_errors
    async def apply_decision(self, inp: DecisionInput) -> None:
        """Apply and audit a person's decision."""
        async with unit_of_work(self.ctx) as uow:
            await screening.apply_decision(uow, inp=inp, workflow=_wf())

    @implements(contract.screen_candidates)
    @maps_domain_errors
    async def screen_candidates(self, inp: ScreenInput) -> ScreeningSummary:
        """Read every confirmed nominee's record from registration and evaluate the criteria."""
        datetime.fromisoformat(inp.snapshot_at)
        async with unit_of_work(self.ctx) as uow:
            ids = await screening.official_ids(uow, inp.campaign_id)
        records = await screening.read_records(self.directory, ids)
        async with unit_of_work(self.ctx) as uow:
            return await screening.screen(uow, campaign_id=inp.campaign_id, snapshot_at=inp.snapshot_at,
                                          records=records, workflow=_wf())

    @implements(contract.prepare_exam)
    @maps_domain_errors
    async def prepare_exam(self, ref: CampaignRef) -> list[Paper]:
        """Anonymisation codes for the eligible candidates."""
        async with unit_of_work(self.ctx) as uow:
            return await exam.prepare_exam(uow, campaign_id=ref.campaign_id)

    @implements(contract.record_mark)
    @maps_domain_errors
    async def record_mark(self, inp: MarkRecord) -> None:
        """Record one mark or discrepancy decision."""
        async with unit_of_work(self.ctx) as uow:
            await exam.record_mark(uow, inp=inp, workflow=_wf())

    @implements(contract.record_component)
    @maps_domain_errors
    async def record_component(self, inp: ComponentResult) -> None:
        """Record a paper's component score."""
        async with unit_of_work(self.ctx) as uow:
            await exam.record_component(uow, inp=inp, workflow=_wf())

    @implements(contract.close_marking)
    @maps_domain_errors
    async def close_marking(self, inp: CloseMarkingInput) -> ExamSummary:
        """Totals, pass mark, ranking, shortlists; identities joined back when no tie is left."""
        async with unit_of_work(self.ctx) as uow:
            plan = await decision.campaign_plan(uow, campaign_id=inp.campaign_id)
            return await exam.close_marking(uow, campaign_id=inp.campaign_id, tie_orders=inp.tie_orders,
                                            bands=bands_of(plan.bands), workflow=_wf())

    @implements(contract.record_committee)
    @maps_domain_errors
    async def record_committee(self, inp: CommitteeRecord) -> CommitteeOutcome:
        """Count the committee's votes, record the decision, publish the selected list."""
        async with unit_of_work(self.ctx) as uow:
            return await decision.record_committee(uow, inp=inp, workflow=_wf())
