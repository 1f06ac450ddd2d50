"""A step whose bounded retries of an infrastructure error are used up files a ``process_stalled`` task for the
Organization Board (issue #19 item 2): the Board runs the step again (the same bounded policy; the workflow then
completes) or stops the process (the workflow fails with the typed error ``process_stopped``). A domain refusal
still fails the workflow at once, with no Board task. All on the time-skipping server."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.activity import name_of, stubs
from contracts.errors import ErrorType, NotFound
from contracts.human_tasks import CreateTaskInput, TaskDecision
from contracts.registration import ApplyReviewDecisionInput, ApplyReviewDecisionResult, RegistrationReviewInput
from contracts.selection import ConferenceInput, ConferenceOutcome
from contracts.stalls import STEP_WORDS
from contracts.tasks import ProcessStalledView, parse_view
from contracts.timing import ACTIVITY_RETRY
from shared.temporal_errors import maps_domain_errors
from tests.support.portal_standin import Portal
from tests.support.seal import sealed
from tests.support.tools import start_time_skipping
from workflows.registration_review import RegistrationReview
from workflows.selection.nomination import NominationConference

ATTEMPTS = ACTIVITY_RETRY.maximum_attempts or 0


@pytest.fixture
async def env() -> Any:
    env = await start_time_skipping()
    async with env:
        yield env


class Registration:
    """registration.apply_review_decision with its database down until ``up`` (a retryable error), or refusing."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.up, self.refuse, self.attempts = False, refuse, 0

    @activity.defn(name="registration.apply_review_decision")
    @maps_domain_errors
    async def apply_review_decision(self, inp: ApplyReviewDecisionInput) -> ApplyReviewDecisionResult:
        self.attempts += 1
        if self.refuse:
            raise NotFound("registration_not_found", "The registration does not exist", "Không có đăng ký này")
        if not self.up:
            raise ConnectionError("connection to server at 10.0.0.5 failed: password=secret")
        return ApplyReviewDecisionResult(inp.registration_id, "approved", True)


def _review(reg_id: str) -> RegistrationReviewInput:
    return RegistrationReviewInput(registration_id=reg_id, unit_code="DONGXOAI", official_name="Nguyễn Văn An",
                                   programme_code="CCLLCT", plan_year=2026, class_id=None, findings=[],
                                   policy_version="registration-checks/2026-1", due_in_seconds=24 * 3600)


async def _decide(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any], filed: CreateTaskInput, action: str,
                  comment: str = "", *, portal: Portal) -> None:
    task_id = f"task-{portal.created.index(filed) + 1}"  # the stand-in's id for it
    decision = TaskDecision(task_key=filed.request.task_key, task_id=task_id, action=action, inputs={},
                            comment=comment, actor_id="btc.tranthithu", actor_role="organization_board")
    await handle.execute_update("complete_task", await sealed(decision, workflow_id=handle.id, env=env))


async def _stalled_review(env: WorkflowEnvironment, portal: Portal, registration: Registration,
                          queue: str) -> tuple[WorkflowHandle[Any, Any], CreateTaskInput]:
    """A review approved by the Board whose registration step then stalls: the Board's process_stalled task."""
    reg_id = str(uuid.uuid4())
    handle = await env.client.start_workflow(RegistrationReview.run, _review(reg_id), id=f"rr-{reg_id}",
                                             task_queue=queue)
    await _decide(env, handle, await portal.filed(env, 1), "approve", portal=portal)
    return handle, await portal.filed(env, 2)


def _workers(env: WorkflowEnvironment, portal: Portal, registration: Registration, queue: str) -> Any:
    return (Worker(env.client, task_queue=queue, workflows=[RegistrationReview]),
            Worker(env.client, task_queue="registration", activities=[registration.apply_review_decision]),
            Worker(env.client, task_queue="portal", activities=portal.activities()))


async def test_a_stalled_step_asks_the_board_and_a_retry_completes_the_process(env: WorkflowEnvironment) -> None:
    portal, registration, queue = Portal(), Registration(), f"wf-{uuid.uuid4()}"
    wf, reg, por = _workers(env, portal, registration, queue)
    async with wf, reg, por:
        started = await env.get_current_time()
        handle, stalled = await _stalled_review(env, portal, registration, queue)
        assert registration.attempts == ATTEMPTS  # the bounded retries first, then the Board
        req = stalled.request
        assert req.kind == "process_stalled" and req.candidate_roles == ["organization_board"]
        assert [a.name for a in req.actions] == ["retry", "stop"] and req.priority == 1
        view = parse_view(req.kind, req.dossier)
        assert isinstance(view, ProcessStalledView)
        assert view.process_vi == "Xét duyệt đăng ký đào tạo — Nguyễn Văn An, CCLLCT (2026)"
        assert view.process_en == "Training registration review — Nguyễn Văn An, CCLLCT (2026)"
        assert view.step_vi == "Ghi quyết định xét duyệt vào hồ sơ đăng ký"
        assert view.error_vi == "Không kết nối được tới cơ sở dữ liệu hoặc dịch vụ cần thiết"
        assert view.error_en == "A database or a service the step needs could not be reached"
        assert (view.attempts, view.stalls) == (ATTEMPTS, 1)
        assert started <= datetime.fromisoformat(view.since) <= started + timedelta(minutes=5)
        words = " ".join(str(v) for v in req.dossier.values()) + req.title_vi + req.title_en
        assert "10.0.0.5" not in words and "secret" not in words and handle.id not in words
        assert req.title_vi.startswith("Quy trình bị gián đoạn — Xét duyệt đăng ký đào tạo")

        registration.up = True
        await _decide(env, handle, stalled, "retry", portal=portal)
        result = await handle.result()
    assert result.status == "approved"
    assert registration.attempts == ATTEMPTS + 1
    assert [c.decision.action for c in portal.closed] == ["approve", "retry"]  # each decision closed (audited)


async def test_a_step_that_stalls_again_files_a_new_task(env: WorkflowEnvironment) -> None:
    portal, registration, queue = Portal(), Registration(), f"wf-{uuid.uuid4()}"
    wf, reg, por = _workers(env, portal, registration, queue)
    async with wf, reg, por:
        handle, stalled = await _stalled_review(env, portal, registration, queue)
        await _decide(env, handle, stalled, "retry", portal=portal)  # still down
        again = await portal.filed(env, 3)
        view = parse_view(again.request.kind, again.request.dossier)
        assert isinstance(view, ProcessStalledView) and (view.stalls, view.attempts) == (2, 2 * ATTEMPTS)
        assert again.request.task_key != stalled.request.task_key
        assert view.since == parse_view(stalled.request.kind, stalled.request.dossier).since  # type: ignore[union-attr]
        registration.up = True
        await _decide(env, handle, again, "retry", portal=portal)
        assert (await handle.result()).status == "approved"


async def test_the_board_stops_the_process_and_it_fails_with_the_typed_error(env: WorkflowEnvironment) -> None:
    portal, registration, queue = Portal(), Registration(), f"wf-{uuid.uuid4()}"
    wf, reg, por = _workers(env, portal, registration, queue)
    async with wf, reg, por:
        handle, stalled = await _stalled_review(env, portal, registration, queue)
        await _decide(env, handle, stalled, "stop", comment="Hồ sơ sẽ được xử lý thủ công", portal=portal)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    error = failed.value.cause
    assert isinstance(error, ApplicationError), error
    assert error.type == ErrorType.PROCESS_STOPPED.value and error.non_retryable
    code, en, vi = (str(d) for d in error.details)
    assert code == "process_stopped"
    assert vi == "Ban Tổ chức đã dừng quy trình «Xét duyệt đăng ký đào tạo — Nguyễn Văn An, CCLLCT (2026)» tại bước " \
                 "«Ghi quyết định xét duyệt vào hồ sơ đăng ký»"
    assert "Training registration review" in en
    assert registration.attempts == ATTEMPTS  # not run again
    assert [(c.decision.action, c.decision.comment) for c in portal.closed][-1] == \
        ("stop", "Hồ sơ sẽ được xử lý thủ công")  # closed: the portal audits the stop and emits CadreProcessStopped


async def test_a_domain_refusal_fails_at_once_without_a_board_task(env: WorkflowEnvironment) -> None:
    portal, registration, queue = Portal(), Registration(refuse=True), f"wf-{uuid.uuid4()}"
    wf, reg, por = _workers(env, portal, registration, queue)
    async with wf, reg, por:
        reg_id = str(uuid.uuid4())
        handle = await env.client.start_workflow(RegistrationReview.run, _review(reg_id), id=f"rr-{reg_id}",
                                                 task_queue=queue)
        await _decide(env, handle, await portal.filed(env, 1), "approve", portal=portal)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ActivityError) and isinstance(cause.cause, ApplicationError)
    assert cause.cause.type == ErrorType.NOT_FOUND.value
    assert registration.attempts == 1
    assert [c.request.kind for c in portal.created] == ["registration_review"]  # no process_stalled task


def test_every_step_has_words() -> None:
    assert sorted(STEP_WORDS) == sorted(name_of(s) for s in stubs().values())
    assert all(vi and en and vi != en for vi, en in STEP_WORDS.values())


async def test_a_conference_whose_tally_cannot_be_written_asks_the_board(env: WorkflowEnvironment) -> None:
    """NominationConference (a campaign's child) and UnitSync ask the Board too, instead of failing: here the
    conference's tally step stalls, the Board runs it again once selection is back, and the conference closes."""
    portal, attempts, up = Portal(), [0], [False]

    @activity.defn(name="selection.close_conference")
    @maps_domain_errors
    async def close_conference(inp: ConferenceInput) -> ConferenceOutcome:
        attempts[0] += 1
        if not up[0]:
            raise ConnectionError("selection's database is down")
        return ConferenceOutcome(inp.conference_id, 3, ["cand-1"])

    queue = f"wf-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=queue, workflows=[NominationConference]), \
            Worker(env.client, task_queue="selection", activities=[close_conference]), \
            Worker(env.client, task_queue="portal", activities=portal.activities()):
        handle = await env.client.start_workflow(
            NominationConference.run, ConferenceInput("camp-1", "conf-1", "HN-TINH", "2020-01-01T00:00:00+00:00"),
            id=f"conf-{uuid.uuid4()}", task_queue=queue)
        stalled = await portal.filed(env, 1)
        view = parse_view(stalled.request.kind, stalled.request.dossier)
        assert isinstance(view, ProcessStalledView)
        assert view.process_vi == "Hội nghị giới thiệu nguồn — hội nghị HN-TINH"
        assert view.step_vi == "Kết thúc hội nghị giới thiệu" and attempts[0] == ATTEMPTS
        up[0] = True
        await _decide(env, handle, stalled, "retry", portal=portal)
        outcome = await handle.result()
    assert outcome.proposed == ["cand-1"] and attempts[0] == ATTEMPTS + 1
