"""UnitSync: a unit registered in registration becomes known to scheduling (the foundation's vertical slice)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts import queues
    from contracts.scheduling import RecordUnitInput, RecordUnitResult
    from contracts.timing import activity_options


@workflow.defn(name="UnitSync")
class UnitSync:
    """Records a new unit in scheduling's own database through scheduling's activity."""

    @workflow.run
    async def run(self, inp: RecordUnitInput) -> RecordUnitResult:
        return await workflow.execute_activity(
            "record_unit", inp, result_type=RecordUnitResult, **activity_options(queues.SCHEDULING, seconds=30))
