"""Human tasks in workflows: a workflow asks a person through the portal's inbox and waits durably.

The contract every process follows (registration review, below-target classes, nomination and screening
confirmation, essay marks, interview scores, committee votes):
1. the workflow calls ``await self.ask(TaskRequest(...))``; a ``portal.create_task`` activity puts the task in the
   inbox (idempotent on workflow id + task key); tasks that open together are filed by one ``portal.create_tasks``
   (``file``) and each awaited with ``decided``;
2. the portal checks who may act (shared.authz, the one place), then sends the ``complete_task`` Update;
3. the validator here refuses a decision the portal did not seal (shared.seal: signature, expiry, this workflow and
   task), one by someone the task was not filed for, and a stale, repeated or unknown action; the handler records
   the decision;
4. overdue → ``portal.task_overdue`` (a reminder), after the grace → escalation to ``escalation_roles``;
5. the decision is closed in the portal by ``portal.close_task``, which writes the portal's audit record.

A step whose bounded retries of an infrastructure error are used up (``workflows.calls``) becomes a task too:
``on_stall`` files a ``process_stalled`` task for the Organization Board naming the process (``process_words``,
and what this run is about, ``describe``), the step, the last error in words, the attempts and since when; the Board
runs the step again or stops the process (the typed failure ``process_stopped``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from contracts.errors import DecisionRefused, DomainError, refusal
    from contracts.human_tasks import (
        COMPLETE_TASK_UPDATE,
        TASK_STATE_QUERY,
        CloseTaskInput,
        CreateTaskInput,
        CreateTasksInput,
        TaskDecision,
        TaskOverdueInput,
        TaskRequest,
        TaskState,
        actor_refusal,
        close_task,
        create_task,
        create_tasks,
        decision_input_refusal,
        task_overdue,
    )
    from contracts.stalls import PROCESS_STALLED, STOP, error_words, process_stopped, stall_actions, step_words
    from contracts.tasks import ProcessStalledView, dossier_of
    from contracts.timing import ACTIVITY_RETRY
    from shared import seal
    from workflows.calls import Stall, call



def refusal_of(error: DomainError) -> Exception:
    """The validator's refusal: an ApplicationError of the stable type DECISION_REFUSED, [code, en, vi] details."""
    return refusal(DecisionRefused(error.code, error.message_en, error.message_vi, field=error.field))


class HumanTasks:
    """Mixin for workflows that wait on people. Subclasses call ``super().__init__()``."""

    # the process in words (Vietnamese, English), as a stalled step's task names it; each workflow says its own
    process_words: ClassVar[tuple[str, str]] = ("Quy trình tự động", "An automated process")

    def __init__(self) -> None:
        self._open_tasks: dict[str, TaskRequest] = {}
        self._decisions: dict[str, TaskDecision] = {}
        self._task_ids: dict[str, str] = {}
        self._escalated: set[str] = set()
        self._about: tuple[str, str] = ("", "")
        self._stalls = 0

    def describe(self, vi: str, en: str) -> None:
        """What this run is about, in words (the official and the programme, the class, the campaign)."""
        self._about = (vi, en)

    def process_names(self) -> tuple[str, str]:
        """The process in words, with what this run is about when it was described."""
        (vi, en), (about_vi, about_en) = self.process_words, self._about
        return (f"{vi} — {about_vi}" if about_vi else vi), (f"{en} — {about_en}" if about_en else en)

    async def on_stall(self, stall: Stall) -> None:
        """Ask the Organization Board about a step whose bounded retries are used up: return to run it again,
        raise ``process_stopped`` (non-retryable: the workflow fails) when the Board stops the process."""
        self._stalls += 1
        info = workflow.info()
        process_vi, process_en = self.process_names()
        step_vi, step_en = step_words(stall.activity)
        error_vi, error_en = error_words(stall.error)
        view = ProcessStalledView(
            process_vi=process_vi, process_en=process_en, step_vi=step_vi, step_en=step_en, error_vi=error_vi,
            error_en=error_en, attempts=(ACTIVITY_RETRY.maximum_attempts or 1) * stall.stalls,
            since=stall.since.isoformat(), stalls=stall.stalls, activity=stall.activity)
        decision = await self.ask(TaskRequest(
            task_key=f"stalled:{info.run_id}:{self._stalls}", kind=PROCESS_STALLED,
            title_vi=f"Quy trình bị gián đoạn — {process_vi}: {step_vi}",
            title_en=f"A process has stalled — {process_en}: {step_en}",
            subject=f"workflow:{info.workflow_id}", candidate_roles=["organization_board"],
            actions=stall_actions(), escalation_roles=["organization_board"], priority=1, dossier=dossier_of(view)))
        if decision.action == STOP:
            raise process_stopped(process_vi, process_en, step_vi, step_en)

    @workflow.update(name=COMPLETE_TASK_UPDATE)
    async def complete_task(self, decision: TaskDecision) -> str:
        """Record a person's decision on an open task."""
        self._decisions[decision.task_key] = decision
        return "accepted"

    @complete_task.validator
    def _validate_completion(self, decision: TaskDecision) -> None:
        # the seal first: an unsigned or forged Update learns nothing about the task (not even whether it is open).
        # Validators are not replayed, so a rotated key never breaks the replay of an old history.
        # (the check runs with imports passed through: cryptography's Rust core imports its exception types lazily,
        # which must resolve to the host's modules, not to fresh copies inside the sandbox)
        with workflow.unsafe.imports_passed_through():
            try:
                seal.check(decision, workflow_id=workflow.info().workflow_id, now=workflow.now())
            except seal.SealRefused as refused:
                raise refusal_of(refused) from None
        request = self._open_tasks.get(decision.task_key)
        if request is None or decision.task_key in self._decisions:
            raise refusal_of(DecisionRefused("task_not_open", "The task is already decided or no longer open",
                                             "Công việc đã được xử lý hoặc không còn mở"))
        known_id = self._task_ids.get(decision.task_key)
        if known_id is not None and decision.task_id != known_id:
            raise refusal_of(DecisionRefused("task_mismatch", "The decision names another task",
                                             "Quyết định thuộc về công việc khác"))
        refusal = actor_refusal(request, decision, escalated=decision.task_key in self._escalated)
        if refusal:
            raise refusal_of(refusal)
        allowed = {a.name: a for a in request.actions}
        action = allowed.get(decision.action)
        if action is None:
            raise refusal_of(DecisionRefused("action_not_allowed", f"Action {decision.action} is not allowed",
                                             f"Hành động {decision.action} không được phép"))
        wrong = decision_input_refusal(action, decision.inputs, decision.comment)
        if wrong is not None:
            raise refusal_of(wrong)

    @workflow.query(name=TASK_STATE_QUERY)
    def task_state(self, task_key: str) -> TaskState:
        """Whether this run accepted a decision on a task (the portal's reconciler asks after a crash)."""
        decision = self._decisions.get(task_key)
        if decision is not None:
            return TaskState("decided", decision)
        return TaskState("open" if task_key in self._open_tasks else "unknown")

    async def ask(self, request: TaskRequest, *,
                  alongside_close: Callable[[TaskDecision], Awaitable[Any]] | None = None) -> TaskDecision:
        """Put a task in the inbox and wait (durably) for its decision, reminding and escalating when overdue.

        ``alongside_close``: what the caller does with the decision (e.g. record a mark in its service), run
        concurrently with closing the task in the portal (one activity round trip and one workflow task less per
        decision than one after the other); ``ask`` returns when both are done."""
        info = workflow.info()
        # open before the task is filed: an approver may act the moment it appears in the inbox
        self._open_tasks[request.task_key] = request
        self._task_ids[request.task_key] = await call(create_task, CreateTaskInput(
            info.workflow_id, info.run_id, info.workflow_type, COMPLETE_TASK_UPDATE, request))
        return await self.decided(request, alongside_close=alongside_close)

    async def file(self, requests: list[TaskRequest]) -> None:
        """Put several tasks in the inbox at once (one ``portal.create_tasks`` activity, not one each); then wait
        for each with ``decided``. For tasks that open together, such as a paper's markers."""
        info = workflow.info()
        for request in requests:
            self._open_tasks[request.task_key] = request
        ids = await call(create_tasks, CreateTasksInput([
            CreateTaskInput(info.workflow_id, info.run_id, info.workflow_type, COMPLETE_TASK_UPDATE, request)
            for request in requests]))
        for request, task_id in zip(requests, ids, strict=True):
            self._task_ids[request.task_key] = task_id

    async def decided(self, request: TaskRequest, *,
                      alongside_close: Callable[[TaskDecision], Awaitable[Any]] | None = None) -> TaskDecision:
        """Wait (durably) for the decision of a filed task, reminding and escalating when overdue; close it."""
        key = request.task_key
        task_id = self._task_ids[key]
        if not await self._wait(key, request.due_in_seconds):
            await call(task_overdue, TaskOverdueInput(task_id, "reminded"))
            if not await self._wait(key, request.escalate_after_seconds):
                self._escalated.add(key)  # before the portal widens the task: an escalation role may act at once
                await call(task_overdue, TaskOverdueInput(task_id, "escalated", request.escalation_roles))
                await workflow.wait_condition(lambda: key in self._decisions)
        decision = self._decisions[key]
        self._open_tasks.pop(key, None)
        self._task_ids.pop(key, None)
        self._escalated.discard(key)
        close = call(close_task, CloseTaskInput(task_id, decision))
        if alongside_close is None:
            await close
        else:
            await asyncio.gather(close, alongside_close(decision))
        return decision

    async def _wait(self, key: str, seconds: int) -> bool:
        try:
            await workflow.wait_condition(lambda: key in self._decisions, timeout=timedelta(seconds=seconds))
            return True
        except TimeoutError:
            return False

    async def settle(self) -> None:
        """Call before returning: lets in-flight Update handlers finish."""
        await workflow.wait_condition(workflow.all_handlers_finished)
