"""Scheduling's activities, hosted on the `scheduling` task queue with direct access to its own database."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from services.scheduling.models import KnownUnit
from shared.context import ServiceContext
from shared.uow import unit_of_work
from workflows.contracts import RecordUnitInput, RecordUnitResult


class SchedulingActivities:
    """Activities with their dependencies injected."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @activity.defn(name="record_unit")
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
