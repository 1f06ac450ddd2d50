"""NominationConference: one conference's ballot stays open until its close time, then it is tallied."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts import selection
    from contracts.selection import ConferenceInput, ConferenceOutcome
    from workflows.calls import call
    from workflows.selection.opts import seconds_until


@workflow.defn(name="NominationConference")
class NominationConference:
    """A durable timer to the close; the close can also be brought forward by the `close_now` signal."""

    def __init__(self) -> None:
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
        wait = seconds_until(inp.close_at)
        if wait > 0:
            try:
                await workflow.wait_condition(lambda: self._close_now, timeout=timedelta(seconds=wait))
            except TimeoutError:
                pass
        outcome = await call(selection.close_conference, inp)
        self._status = "closed"
        return outcome
