"""ClassLifecycle: one durable workflow per class, from enrolment to ClassCompleted.

Started by the workflows process's starter from ClassScheduled, which scheduling commits with the class (id
``class-lifecycle-<class_id>``; a second start is refused by Temporal, so a redelivered event starts nothing).
Steps, each a scheduling activity (state + event + audit in one unit of work, idempotent on retry):

1. ``scheduling.open_enrolment``: planned → enrolling.
2. Enrolment window until the end of the deadline day (00:00 UTC of the next day), or earlier when the
   Organization Board closes it (``POST /classes/{id}/close-enrolment`` → signal ``close_enrolment``). Once a
   day ``scheduling.expire_offers`` lapses waitlist offers not accepted in time and offers the seats on (offers
   also lapse whenever the class's seats are touched: enrol, accept, close).
3. ``scheduling.close_enrolment``: enrolled vs target. Below target → a ``class_below_target`` task in the
   portal inbox for the Organization Board (``HumanTasks.ask``: due in 3 days, reminder, escalation after 2
   more): open anyway / extend by N days (1–60, back to step 2) / merge into another class of the same programme
   (input ``target_class_id``) / cancel (comment required). ``scheduling.apply_below_target_decision`` applies
   it; a merge scheduling refuses (wrong programme, closed class) is asked again.
4. At the start date ``scheduling.start_class``: enrolling → running.
5. Attendance and marks come through the API from institution staff (``POST /classes/{id}/attendance`` and
   ``/results``) and are stored by scheduling; the results endpoint signals ``results_recorded``. From the last
   day (the final exam) on, the workflow asks ``scheduling.results_status`` (again daily, or at once on the
   signal) until every participant has marks, then
6. ``scheduling.complete_class`` scores by the class's evaluation framework, numbers the certificates and
   publishes ClassCompleted (each participant's hours and result).

Query ``status`` reports the phase. Dates are calendar days read as UTC midnights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts import scheduling
    from contracts.human_tasks import TaskAction, TaskDecision, TaskInputField, TaskRequest
    from contracts.scheduling import (
        BelowTargetDecisionInput,
        ClassLifecycleInput,
        ClassRef,
        ClassTimeline,
        CompletionResult,
        EnrolmentCheck,
        ResultsCheck,
    )
    from contracts.tasks import BelowTargetView, MergeClass, dossier_of
    from workflows.calls import call
    from workflows.human_task import HumanTasks



def midnight(day_iso: str, plus_days: int = 0) -> datetime:
    """A calendar day's start (UTC), optionally some days later."""
    d = datetime.fromisoformat(day_iso).replace(tzinfo=UTC)
    return d + timedelta(days=plus_days)


def below_target_request(check: EnrolmentCheck, tl: ClassTimeline, round_no: int) -> TaskRequest:
    """The Organization Board's task for a class below its target at the deadline."""
    return TaskRequest(
        task_key=f"below_target:{round_no}", kind="class_below_target",
        title_vi=f"Lớp {tl.class_code} dưới chỉ tiêu chiêu sinh ({check.enrolled}/{check.target})",
        title_en=f"Class {tl.class_code} below its enrolment target ({check.enrolled}/{check.target})",
        subject=f"class:{tl.class_id}", candidate_roles=["organization_board"],
        actions=[
            TaskAction("open_anyway", "Vẫn mở lớp", "Open anyway", "decide"),
            TaskAction("extend", "Gia hạn chiêu sinh", "Extend the deadline", "decide",
                       inputs=[TaskInputField("days", "Số ngày gia hạn", "Days", "number", True, 1, 60)]),
            *([TaskAction("merge", "Gộp vào lớp khác", "Merge into another class", "decide", inputs=[
                TaskInputField("target_class_id", "Lớp được gộp vào", "Class to merge into", "choice",
                               choices=[m.class_code for m in check.merge_options])])]
              if check.merge_options else []),  # a merge only into a class of the programme with seats left
            TaskAction("cancel", "Hủy lớp", "Cancel the class", "decide", requires_comment=True),
        ],
        dossier=dossier_of(BelowTargetView(
            class_id=tl.class_id, class_code=tl.class_code, programme_code=tl.programme_code, enrolled=check.enrolled,
            target=check.target, capacity=check.capacity, enrolment_deadline=tl.enrolment_deadline,
            start_date=tl.start_date, end_date=tl.end_date, waitlist=list(check.waitlist),
            merge_options=[MergeClass(class_code=m.class_code, start_date=m.start_date, end_date=m.end_date,
                                      seats_left=m.seats_left) for m in check.merge_options])),
        escalation_roles=["organization_board"],
        priority=1)


@workflow.defn(name="ClassLifecycle")
class ClassLifecycle(HumanTasks):
    """A class from enrolment to completion, with the below-target decision as a human task."""

    process_words = ("Tổ chức lớp học", "Running a class")

    def __init__(self) -> None:
        super().__init__()
        self._phase = "starting"
        self._close_now = False
        self._results_in = False
        self._decisions_made: list[str] = []

    @workflow.signal(name=scheduling.CLOSE_ENROLMENT_SIGNAL)
    def close_enrolment(self) -> None:
        """The Organization Board closes enrolment before the deadline."""
        self._close_now = True

    @workflow.signal(name=scheduling.RESULTS_RECORDED_SIGNAL)
    def results_recorded(self) -> None:
        """Institution staff recorded marks: check whether the class can complete."""
        self._results_in = True

    @workflow.query(name=scheduling.LIFECYCLE_STATUS_QUERY)
    def status(self) -> dict[str, Any]:
        """The lifecycle's phase and the decisions taken."""
        return {"phase": self._phase, "decisions": list(self._decisions_made),
                "open_tasks": sorted(self._open_tasks)}

    async def _until(self, when: datetime, early: Callable[[], bool]) -> None:
        delay = when - workflow.now()
        if delay <= timedelta(0) or early():
            return
        try:
            await workflow.wait_condition(early, timeout=delay)
        except TimeoutError:
            pass

    async def _enrolment(self, ref: ClassRef, tl: ClassTimeline) -> ClassTimeline | None:
        """The enrolment window and the below-target decision; None when the class was cancelled or merged."""
        round_no = 0
        # a close the Board asked for before this workflow ran: its signal found no workflow, the class row kept it
        self._close_now = self._close_now or tl.close_requested
        while True:
            self._phase = "enrolling"
            closes = midnight(tl.enrolment_deadline, 1)
            while workflow.now() < closes and not self._close_now:
                await self._until(min(closes, workflow.now() + timedelta(days=1)), lambda: self._close_now)
                if not self._close_now and workflow.now() < closes:
                    await call(scheduling.expire_offers, ref)
            self._close_now = False
            check: EnrolmentCheck = await call(scheduling.close_enrolment, ref)
            if not check.below_target:
                return tl
            self._phase = "below_target_decision"
            decision: TaskDecision = await self.ask(below_target_request(check, tl, round_no))
            round_no += 1
            codes = {m.class_code: m.class_id for m in check.merge_options}  # the choice names the class by code
            outcome = await call(scheduling.apply_below_target_decision, self._decision_input(ref, decision, codes))
            self._decisions_made.append(decision.action if outcome.applied else f"{decision.action}:refused")
            if not outcome.applied:
                continue
            if decision.action == "extend":
                tl = replace(tl, enrolment_deadline=outcome.enrolment_deadline)
                continue
            if decision.action in ("merge", "cancel"):
                return None
            return tl

    def _decision_input(self, ref: ClassRef, d: TaskDecision,
                        codes: dict[str, str] | None = None) -> BelowTargetDecisionInput:
        days = d.inputs.get("days")
        target = d.inputs.get("target_class_id")
        target = (codes or {}).get(str(target), target) if target else target  # a code of the options → its id
        return BelowTargetDecisionInput(
            class_id=ref.class_id, decision_ref=f"{ref.workflow_id}:{d.task_key}:{d.task_id}", action=d.action,
            days=int(float(days)) if days not in (None, "") else None,
            target_class_id=str(target) if target else None, comment=d.comment, actor_id=d.actor_id,
            actor_role=d.actor_role, on_behalf_of=d.on_behalf_of, workflow_id=ref.workflow_id, run_id=ref.run_id)

    @workflow.run
    async def run(self, inp: ClassLifecycleInput) -> CompletionResult:
        info = workflow.info()
        ref = ClassRef(inp.class_id, info.workflow_id, info.run_id)
        tl: ClassTimeline = await call(scheduling.open_enrolment, ref)
        self.describe(f"lớp {tl.class_code}", f"class {tl.class_code}")
        if tl.status in ("enrolling", "planned"):
            confirmed = await self._enrolment(ref, tl)
            if confirmed is None:
                self._phase = "cancelled"
                await self.settle()
                return CompletionResult(inp.class_id, "cancelled")
            tl = confirmed
            self._phase = "confirmed"
            await self._until(midnight(tl.start_date), lambda: False)
            tl = await call(scheduling.start_class, ref)
        if tl.status in ("cancelled", "completed"):
            self._phase = tl.status
            await self.settle()
            return CompletionResult(inp.class_id, tl.status)
        self._phase = "running"
        await self._until(midnight(tl.end_date), lambda: False)
        self._phase = "awaiting_results"
        while True:
            check: ResultsCheck = await call(scheduling.results_status, ref)
            if check.missing == 0:
                break
            self._results_in = False
            await self._until(workflow.now() + timedelta(days=1), lambda: self._results_in)
        result: CompletionResult = await call(scheduling.complete_class, ref)
        self._phase = "completed"
        await self.settle()
        return result
