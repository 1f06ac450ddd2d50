"""UnitSync: a unit registered in registration becomes known to scheduling (the foundation's vertical slice)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import RecordUnitInput, RecordUnitResult


@workflow.defn(name="UnitSync")
class UnitSync:
    """Records a new unit in scheduling's own database through scheduling's activity."""

    @workflow.run
    async def run(self, inp: RecordUnitInput) -> RecordUnitResult:
        return await workflow.execute_activity(
            "record_unit", inp, task_queue="scheduling", result_type=RecordUnitResult,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)),
        )
