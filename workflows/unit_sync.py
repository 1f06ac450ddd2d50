"""UnitSync: a unit registered in registration becomes known to scheduling (the foundation's vertical slice).

If scheduling cannot be reached through the bounded retries, the Organization Board gets a ``process_stalled`` task
(``HumanTasks.on_stall``) to run the step again or stop, instead of the unit silently staying unknown to scheduling.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # the complete_task Update's TaskDecision is decoded in the sandbox by its own module's names, so that module
    # is imported here (HumanTasks' imports ran outside the sandbox): without it a Board decision fails to decode
    import contracts.human_tasks  # noqa: F401
    from contracts.scheduling import RecordUnitInput, RecordUnitResult, record_unit
    from workflows.calls import call
    from workflows.human_task import HumanTasks


@workflow.defn(name="UnitSync")
class UnitSync(HumanTasks):
    """Records a new unit in scheduling's own database through scheduling's activity."""

    process_words = ("Đồng bộ đơn vị sang hệ thống lớp học", "Unit sync to scheduling")

    @workflow.run
    async def run(self, inp: RecordUnitInput) -> RecordUnitResult:
        self.describe(inp.name, inp.name)
        result = await call(record_unit, inp)
        await self.settle()
        return result
