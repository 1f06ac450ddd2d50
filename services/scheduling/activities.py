"""Scheduling's activities, hosted on the `scheduling` task queue with direct access to its own database.

Each lifecycle activity is one unit of work (state + event + audit) and idempotent: a retry finds the state
already changed and changes nothing twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from contracts import scheduling as contract
from contracts.activity import implements
from contracts.scheduling import (
    BelowTargetDecisionInput,
    BelowTargetOutcome,
    ClassRef,
    ClassTimeline,
    CompletionResult,
    EnrolmentCheck,
    RecordUnitInput,
    RecordUnitResult,
    ResultsCheck,
)
from services.scheduling.models import KnownUnit
from services.scheduling.service import enrolment, lifecycle, results
from services.scheduling.service.class_store import SYSTEM, load_class
from shared.context import ServiceContext
from shared.temporal_errors import maps_domain_errors
from shared.uow import UnitOfWork, unit_of_work


@asynccontextmanager
async def _work(ctx: ServiceContext) -> AsyncIterator[UnitOfWork]:
    """A unit of work; its refusal (unknown class, forbidden transition) leaves the activity as a non-retryable
    ApplicationError (``maps_domain_errors``): a lifecycle whose class is gone fails instead of retrying forever."""
    async with unit_of_work(ctx) as uow:
        yield uow


class SchedulingActivities:
    """Activities with their dependencies injected."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @implements(contract.record_unit)
    @maps_domain_errors
    async def record_unit(self, inp: RecordUnitInput) -> RecordUnitResult:
        """Know a unit; a retried activity finds it already known and changes nothing."""
        async with unit_of_work(self.ctx) as uow:
            found = await uow.session.get(KnownUnit, inp.code)
            if found is not None:
                return RecordUnitResult(code=inp.code, created=False)
            uow.session.add(KnownUnit(code=inp.code, unit_id=inp.unit_id, name=inp.name, kind=inp.kind,
                                      source_event_id=inp.source_event_id, recorded_at=datetime.now(UTC)))
            uow.emit("UnitRecordedInScheduling", subject=inp.unit_id,
                     data={"code": inp.code, "name": inp.name, "kind": inp.kind})
        return RecordUnitResult(code=inp.code, created=True)

    @implements(contract.open_enrolment)
    @maps_domain_errors
    async def open_enrolment(self, ref: ClassRef) -> ClassTimeline:
        """planned → enrolling."""
        async with _work(self.ctx) as uow:
            return await lifecycle.open_enrolment(uow, class_id=ref.class_id, workflow_id=ref.workflow_id,
                                                  run_id=ref.run_id)

    @implements(contract.expire_offers)
    @maps_domain_errors
    async def expire_offers(self, ref: ClassRef) -> int:
        """Expire offers past their acceptance deadline and offer the seats to the next in line."""
        async with _work(self.ctx) as uow:
            return await enrolment.expire_offers(uow, class_id=ref.class_id, actor=SYSTEM,
                                                 workflow_id=ref.workflow_id)

    @implements(contract.close_enrolment)
    @maps_domain_errors
    async def close_enrolment(self, ref: ClassRef) -> EnrolmentCheck:
        """At the deadline: enrolled against target."""
        async with _work(self.ctx) as uow:
            return await lifecycle.close_enrolment(uow, class_id=ref.class_id, workflow_id=ref.workflow_id,
                                                   run_id=ref.run_id)

    @implements(contract.apply_below_target_decision)
    @maps_domain_errors
    async def apply_below_target_decision(self, inp: BelowTargetDecisionInput) -> BelowTargetOutcome:
        """Open anyway, extend, merge or cancel."""
        async with _work(self.ctx) as uow:
            return await lifecycle.apply_below_target_decision(uow, inp=inp)

    @implements(contract.start_class)
    @maps_domain_errors
    async def start_class(self, ref: ClassRef) -> ClassTimeline:
        """enrolling → running."""
        async with _work(self.ctx) as uow:
            return await lifecycle.start_class(uow, class_id=ref.class_id, workflow_id=ref.workflow_id,
                                               run_id=ref.run_id)

    @implements(contract.results_status)
    @maps_domain_errors
    async def results_status(self, ref: ClassRef) -> ResultsCheck:
        """How many participants still lack marks."""
        async with _work(self.ctx) as uow:
            missing = await results.results_missing(uow, class_id=ref.class_id)
            cls = await load_class(uow, ref.class_id, lock=False)
            return ResultsCheck(ref.class_id, cls.status, missing)

    @implements(contract.complete_class)
    @maps_domain_errors
    async def complete_class(self, ref: ClassRef) -> CompletionResult:
        """Score, number certificates, publish ClassCompleted."""
        async with _work(self.ctx) as uow:
            out = await results.complete_class(uow, class_id=ref.class_id, actor=SYSTEM,
                                               workflow_id=ref.workflow_id, run_id=ref.run_id)
        return CompletionResult(ref.class_id, str(out["status"]), int(out.get("passed", 0)),
                                int(out.get("failed", 0)), int(out.get("incomplete", 0)))

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of this class, for the worker."""
        return [self.record_unit, self.open_enrolment, self.expire_offers, self.close_enrolment,
                self.apply_below_target_decision, self.start_class, self.results_status, self.complete_class]
