"""NominationConference: one conference's ballot stays open until its close time, then it is tallied.

If the tally cannot be written through the bounded retries, the Organization Board gets a ``process_stalled`` task
(``HumanTasks.on_stall``) to run it again or stop, instead of the campaign failing with its child.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # the complete_task Update's TaskDecision is decoded in the sandbox by its own module's names, so that module
    # is imported here (HumanTasks' imports ran outside the sandbox): without it a Board decision fails to decode
    import contracts.human_tasks  # noqa: F401
    from contracts import selection
    from contracts.selection import ConferenceInput, ConferenceOutcome
    from workflows.calls import call
    from workflows.human_task import HumanTasks
    from workflows.selection.opts import seconds_until


@workflow.defn(name="NominationConference")
class NominationConference(HumanTasks):
    """A durable timer to the close; the close can also be brought forward by the `close_now` signal."""

    process_words = ("Hội nghị giới thiệu nguồn", "Nomination conference")

    def __init__(self) -> None:
        super().__init__()
        self._close_now = False
        self._status = "open"

    @workflow.signal(name=selection.CLOSE_CONFERENCE_SIGNAL)
    def close_now(self) -> None:
        """Close the ballot before its time (the conference ended early)."""
        self._close_now = True

    @workflow.query(name=selection.STATUS_QUERY)
    def status(self) -> str:
        """open | closed."""
        return self._status

    @workflow.run
    async def run(self, inp: ConferenceInput) -> ConferenceOutcome:
        self.describe(f"hội nghị {inp.code}", f"conference {inp.code}")
        wait = seconds_until(inp.close_at)
        if wait > 0:
            try:
                await workflow.wait_condition(lambda: self._close_now, timeout=timedelta(seconds=wait))
            except TimeoutError:
                pass
        outcome = await call(selection.close_conference, inp)
        self._status = "closed"
        await self.settle()
        return outcome
