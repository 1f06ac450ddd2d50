"""UnitSync: a unit registered in registration becomes known to scheduling (the foundation's vertical slice)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from shared.temporal_errors import activity_options
    from workflows.contracts import RecordUnitInput, RecordUnitResult


@workflow.defn(name="UnitSync")
class UnitSync:
    """Records a new unit in scheduling's own database through scheduling's activity."""

    @workflow.run
    async def run(self, inp: RecordUnitInput) -> RecordUnitResult:
        return await workflow.execute_activity(
            "record_unit", inp, result_type=RecordUnitResult, **activity_options("scheduling", seconds=30))
