"""A domain error injected into each kind of activity (registration, scheduling, selection, portal) is not retried:
the real activity raises it, ``maps_domain_errors`` turns it into a non-retryable ApplicationError of its stable
type, and the workflow takes its failure path at once — it fails (counted as ``cadre_workflow_runs{transition=
"failed"}``; CadreWorkflowFailures alerts) with the type and the [code, en, vi] details in its failure, after one
attempt. An infrastructure error is retried with backoff and a bounded total, then asks the Board
(a process_stalled task; tests/unit/workflows/test_stalls.py), which may stop the process.
All on the time-skipping server, with the services' real activities on SQLite (issue #19, acceptance 3)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.errors import ErrorType
from contracts.human_tasks import TaskDecision
from contracts.registration import RegistrationReviewInput
from contracts.scheduling import ClassLifecycleInput, RecordUnitInput
from contracts.selection import CampaignInput
from contracts.timing import ACTIVITY_RETRY
from services.registration.activities import RegistrationActivities
from services.scheduling.activities import SchedulingActivities
from services.selection.activities import SelectionActivities
from shared.temporal_errors import maps_domain_errors
from tests.support.portal_standin import Portal
from tests.support.seal import sealed
from tests.support.sqlite_ctx import sqlite_context
from tests.support.tools import start_time_skipping
from tests.unit.portal.support import make_portal
from tests.unit.scheduling.support import scheduling_context
from tests.unit.selection.fakes import FakeOfficialDirectory
from tests.unit.selection.support import selection_ctx
from workflows.class_lifecycle import ClassLifecycle
from workflows.registration_review import RegistrationReview
from workflows.selection.campaign import SelectionCampaign
from workflows.unit_sync import UnitSync


@pytest.fixture
async def env() -> Any:
    env = await start_time_skipping()
    async with env:
        yield env


def _review(reg_id: str) -> RegistrationReviewInput:
    return RegistrationReviewInput(registration_id=reg_id, unit_code="DONGXOAI", official_name="Nguyễn Văn An",
                                   programme_code="CCLLCT", plan_year=2026, class_id=None, findings=[],
                                   policy_version="registration-checks/2026-1", due_in_seconds=24 * 3600)


async def _failure(handle: WorkflowHandle[Any, Any]) -> ApplicationError:
    """The workflow's failure: an activity's ApplicationError (the workflow failed, it did not hang)."""
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ActivityError), cause
    assert isinstance(cause.cause, ApplicationError), cause.cause
    return cause.cause


async def _attempts(handle: WorkflowHandle[Any, Any], activity_type: str) -> list[int]:
    """The attempt numbers of the activity's runs, from the workflow's history."""
    scheduled: set[int] = set()
    attempts = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and \
                event.activity_task_scheduled_event_attributes.activity_type.name == activity_type:
            scheduled.add(event.event_id)
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED and \
                event.activity_task_started_event_attributes.scheduled_event_id in scheduled:
            attempts.append(event.activity_task_started_event_attributes.attempt)
    return attempts


def _stable(error: ApplicationError, kind: ErrorType, code: str) -> None:
    assert error.type == kind.value and error.non_retryable, (error.type, error.message)
    details = [str(d) for d in error.details]
    assert details[0] == code and len(details) == 3 and all(details), details


async def test_registration_activity_refusal_fails_the_review_at_once(env: WorkflowEnvironment,
                                                                      tmp_path: Path) -> None:
    """Registration: the board decides on a registration that no longer exists → not found, not retried."""
    ctx = await sqlite_context(tmp_path)
    portal, queue = Portal(), f"wf-{uuid.uuid4()}"
    reg_id = str(uuid.uuid4())  # never stored
    try:
        async with Worker(env.client, task_queue=queue, workflows=[RegistrationReview]), \
                Worker(env.client, task_queue="registration",
                       activities=[RegistrationActivities(ctx).apply_review_decision]), \
                Worker(env.client, task_queue="portal", activities=portal.activities()):
            handle = await env.client.start_workflow(RegistrationReview.run, _review(reg_id), id=f"rr-{reg_id}",
                                                     task_queue=queue)
            await portal.filed(env, step=timedelta(seconds=1))
            decision = TaskDecision(task_key="review", task_id="task-1", action="approve", inputs={}, comment="",
                                    actor_id="btc.tranthithu", actor_role="organization_board")
            await handle.execute_update("complete_task", await sealed(decision, workflow_id=handle.id, env=env))
            _stable(await _failure(handle), ErrorType.NOT_FOUND, "registration_not_found")
            assert await _attempts(handle, "registration.apply_review_decision") == [1]
    finally:
        await ctx.dispose()


async def test_scheduling_activity_refusal_fails_the_lifecycle_at_once(env: WorkflowEnvironment,
                                                                       tmp_path: Path) -> None:
    """Scheduling: a lifecycle for a class that does not exist → 404 problem → not found, not retried."""
    ctx = await scheduling_context(tmp_path)
    queue = f"wf-{uuid.uuid4()}"
    try:
        async with Worker(env.client, task_queue=queue, workflows=[ClassLifecycle]), \
                Worker(env.client, task_queue="scheduling", activities=SchedulingActivities(ctx).all()):
            handle = await env.client.start_workflow(ClassLifecycle.run, ClassLifecycleInput(class_id="no-such"),
                                                     id=f"cl-{uuid.uuid4()}", task_queue=queue)
            error = await _failure(handle)
            assert error.type == ErrorType.NOT_FOUND.value and error.non_retryable
            assert await _attempts(handle, "scheduling.open_enrolment") == [1]
    finally:
        await ctx.dispose()


async def test_selection_activity_refusal_fails_the_campaign_at_once(env: WorkflowEnvironment,
                                                                     tmp_path: Path) -> None:
    """Selection: a campaign workflow whose campaign is not in selection's database → not found, not retried."""
    _, ctx = await selection_ctx(tmp_path)
    queue = f"wf-{uuid.uuid4()}"
    try:
        async with Worker(env.client, task_queue=queue, workflows=[SelectionCampaign]), \
                Worker(env.client, task_queue="selection",
                       activities=SelectionActivities(ctx, FakeOfficialDirectory()).all()):
            handle = await env.client.start_workflow(SelectionCampaign.run, CampaignInput("no-such-campaign"),
                                                     id=f"sc-{uuid.uuid4()}", task_queue=queue)
            error = await _failure(handle)
            assert error.type == ErrorType.NOT_FOUND.value and error.non_retryable
            assert await _attempts(handle, "selection.plan") == [1]
    finally:
        await ctx.dispose()


async def test_portal_activity_refusal_fails_the_workflow_at_once(env: WorkflowEnvironment, tmp_path: Path) -> None:
    """Portal: a task whose event would carry a 12-digit number (the personal-id shape the event contract refuses)
    → personal data, not retried (before: portal activities retried it forever)."""
    portal = await make_portal(tmp_path)
    queue = f"wf-{uuid.uuid4()}"
    reg_id = f"reg-{uuid.uuid4().hex[:6]}-079123456789"  # the subject (registration:<id>) goes into TaskCreated
    try:
        async with Worker(env.client, task_queue=queue, workflows=[RegistrationReview]), \
                Worker(env.client, task_queue="portal",
                       activities=[portal.acts.create_task, portal.acts.task_overdue,
                                   portal.acts.close_task]):
            handle = await env.client.start_workflow(RegistrationReview.run, _review(reg_id), id=f"rr-{reg_id}",
                                                     task_queue=queue)
            _stable(await _failure(handle), ErrorType.PERSONAL_DATA, "personal_data_in_event")
            assert await _attempts(handle, "portal.create_task") == [1]
    finally:
        await portal.ctx.dispose()


async def test_an_infrastructure_error_is_retried_a_bounded_number_of_times(env: WorkflowEnvironment) -> None:
    """A database that stays down: retried with backoff, ACTIVITY_RETRY.maximum_attempts times, then the Board is
    asked (a process_stalled task naming the unit sync and the unit; never a retry without end, never silence);
    the Board stops it and the workflow fails with the typed error."""
    calls: list[int] = []

    @activity.defn(name="record_unit")
    @maps_domain_errors
    async def record_unit(inp: RecordUnitInput) -> None:
        calls.append(activity.info().attempt)
        raise ConnectionError("database unreachable")

    queue, portal = f"wf-{uuid.uuid4()}", Portal()
    async with Worker(env.client, task_queue=queue, workflows=[UnitSync]), \
            Worker(env.client, task_queue="scheduling", activities=[record_unit]), \
            Worker(env.client, task_queue="portal", activities=portal.activities()):
        handle = await env.client.start_workflow(
            UnitSync.run, RecordUnitInput(code="DX", unit_id="u-1", name="Đồng Xoài", kind="commune",
                                          source_event_id="e-1"), id=f"us-{uuid.uuid4()}", task_queue=queue)
        stalled = await portal.filed(env)
        assert len(portal.created) == 1
        assert stalled.request.kind == "process_stalled"
        assert stalled.request.title_vi == ("Quy trình bị gián đoạn — Đồng bộ đơn vị sang hệ thống lớp học — "
                                            "Đồng Xoài: Ghi nhận đơn vị vào hệ thống lớp học")
        assert calls == list(range(1, (ACTIVITY_RETRY.maximum_attempts or 0) + 1))
        decision = TaskDecision(task_key=stalled.request.task_key, task_id="task-1", action="stop", inputs={},
                                comment="Đơn vị sẽ được nhập tay", actor_id="btc.tranthithu",
                                actor_role="organization_board")
        await handle.execute_update("complete_task", await sealed(decision, workflow_id=handle.id, env=env))
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    error = failed.value.cause
    assert isinstance(error, ApplicationError) and error.type == ErrorType.PROCESS_STOPPED.value
    assert calls == list(range(1, (ACTIVITY_RETRY.maximum_attempts or 0) + 1))  # not run again after the stop


def test_the_mapping_keeps_infrastructure_errors_retryable() -> None:
    from shared.domain_errors import DomainValidationError
    from shared.errors import Problem, not_found
    from shared.temporal_errors import to_application_error

    assert to_application_error(ConnectionError("down")) is None
    assert to_application_error(Problem(503, "unavailable", "Unavailable", "Không sẵn sàng")) is None
    mapped = to_application_error(not_found("Class", "lớp", "x"))
    assert mapped is not None and mapped.type == ErrorType.NOT_FOUND.value and mapped.non_retryable
    invalid = to_application_error(DomainValidationError("mark_invalid", "Điểm không hợp lệ", "Mark is invalid",
                                                         "mark"))
    assert invalid is not None and list(invalid.details) == ["mark_invalid", "Mark is invalid", "Điểm không hợp lệ"]
