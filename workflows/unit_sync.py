"""UnitSync: a unit registered in registration becomes known to scheduling (the foundation's vertical slice)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.scheduling import RecordUnitInput, RecordUnitResult, record_unit
    from workflows.calls import call


@workflow.defn(name="UnitSync")
class UnitSync:
    """Records a new unit in scheduling's own database through scheduling's activity."""

    @workflow.run
    async def run(self, inp: RecordUnitInput) -> RecordUnitResult:
        return await call(record_unit, inp)
