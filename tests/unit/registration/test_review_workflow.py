"""RegistrationReview on the time-skipping server: registration's real activity on SQLite, stand-in portal."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts.human_tasks import TaskDecision
from contracts.registration import (
    ApplyReviewDecisionResult,
    ManagingAuthority,
    RegistrationReviewInput,
    review_workflow_id,
)
from contracts.tasks import ReviewFacts
from services.registration.activities import RegistrationActivities
from services.registration.models import Registration
from shared.context import ServiceContext
from tests.support.portal_standin import Portal
from tests.support.seal import sealed
from tests.support.sqlite_ctx import sqlite_context
from tests.support.tools import start_time_skipping
from workflows.registration_review import RegistrationReview
from workflows.starters import registration_review_starter

FINDINGS = [{"code": "quota_exceeded", "severity": "warning", "message_vi": "Vượt chỉ tiêu",
             "message_en": "Exceeds the quota"}]



@dataclass
class Rig:
    env: WorkflowEnvironment
    ctx: ServiceContext
    portal: Portal
    queue: str


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    env = await start_time_skipping()
    ctx = await sqlite_context(tmp_path)
    portal, queue = Portal(), f"wf-{uuid.uuid4()}"
    async with env, \
            Worker(env.client, task_queue=queue, workflows=[RegistrationReview]), \
            Worker(env.client, task_queue="registration",
                   activities=[RegistrationActivities(ctx).apply_review_decision]), \
            Worker(env.client, task_queue="portal",
                   activities=[portal.create_task, portal.task_overdue, portal.close_task]):
        yield Rig(env, ctx, portal, queue)
    await ctx.dispose()


async def _flagged(ctx: ServiceContext) -> str:
    reg_id = str(uuid.uuid4())
    async with ctx.sessions() as s, s.begin():
        s.add(Registration(id=reg_id, official_id=str(uuid.uuid4()), official_name="Nguyễn Văn An",
                           unit_code="DONGXOAI", programme_code="CCLLCT",
                           programme_category="political_theory.advanced",
                           plan_year=2026, class_id=None, status="under_review", active_key=f"k-{reg_id}",
                           findings=FINDINGS, policy_version="registration-checks/2026-1", note="", review_comment="",
                           submitted_by="tc.dongxoai", submitted_at=datetime.now(UTC)))
    return reg_id


def _input(reg_id: str) -> RegistrationReviewInput:
    return RegistrationReviewInput(registration_id=reg_id, unit_code="DONGXOAI", official_name="Nguyễn Văn An",
                                   programme_code="CCLLCT", plan_year=2026, class_id=None, findings=FINDINGS,
                                   policy_version="registration-checks/2026-1", due_in_seconds=24 * 3600)


async def _complete(rig: Rig, handle: WorkflowHandle[Any, Any], decision: TaskDecision) -> Any:
    """Send the decision as the portal would: for the task the (stand-in) portal filed, sealed with the portal's
    (test) key at the server's time."""
    filed = [i for i, c in enumerate(rig.portal.created)
             if c.workflow_id == handle.id and c.request.task_key == decision.task_key]
    if filed:
        decision = replace(decision, task_id=f"task-{filed[-1] + 1}")
    return await handle.execute_update("complete_task", await sealed(decision, workflow_id=handle.id, env=rig.env))


async def _start(rig: Rig, reg_id: str) -> WorkflowHandle[Any, Any]:
    return await rig.env.client.start_workflow(RegistrationReview.run, _input(reg_id), id=review_workflow_id(reg_id),
                                               task_queue=rig.queue)


def _decision(action: str, comment: str = "") -> TaskDecision:
    return TaskDecision(task_key="review", task_id="task-1", action=action, inputs={}, comment=comment,
                        actor_id="btc.tranthithu", actor_role="organization_board")


async def _wait_task(rig: Rig) -> None:
    for _ in range(100):
        if rig.portal.created:
            return
        await rig.env.sleep(timedelta(seconds=1))
    raise AssertionError("no task created")


async def test_approval_applies_the_decision_with_audit_and_event(rig: Rig) -> None:
    reg_id = await _flagged(rig.ctx)
    handle = await _start(rig, reg_id)
    await _wait_task(rig)
    req = rig.portal.created[0].request
    assert req.kind == "registration_review" and req.candidate_roles == ["organization_board"]
    assert req.unit_scope == "DONGXOAI" and req.dossier["findings"] == FINDINGS
    assert {a.name for a in req.actions} == {"approve", "refuse", "return"}
    with pytest.raises(WorkflowUpdateFailedError):
        await _complete(rig, handle, _decision("return"))  # return needs a comment
    await rig.env.sleep(timedelta(hours=30))  # past the due date: a reminder
    assert [o.stage for o in rig.portal.overdue] == ["reminded"]
    await _complete(rig, handle, _decision("approve", "Đồng ý"))
    result: ApplyReviewDecisionResult = await handle.result()
    assert (result.status, result.changed) == ("approved", True)
    assert rig.portal.closed[0].decision.action == "approve"
    async with rig.ctx.sessions() as s:
        reg = await s.get(Registration, reg_id)
        assert reg is not None and (reg.status, reg.decided_by) == ("approved", "btc.tranthithu")
        events = (await s.execute(text("SELECT payload FROM outbox WHERE event_type='RegistrationApproved'"))).all()
        audits = (await s.execute(select(rig.ctx.tables.audit.c.body))).scalars().all()
    assert json.loads(events[0][0])["data"]["approved_by"] == "btc.tranthithu"
    body = json.loads(audits[0])
    assert body["action"] == "registration.review.approve" and body["workflow_id"] == review_workflow_id(reg_id)
    assert body["policy_version"] == "registration-checks/2026-1" and body["reason"]["vi"].startswith("Phê duyệt")


async def test_return_for_correction_frees_the_registration(rig: Rig) -> None:
    reg_id = await _flagged(rig.ctx)
    handle = await _start(rig, reg_id)
    await _wait_task(rig)
    await _complete(rig, handle, _decision("return", "Bổ sung vị trí việc làm"))
    result = await handle.result()
    assert result.status == "returned"
    async with rig.ctx.sessions() as s:
        reg = await s.get(Registration, reg_id)
        assert reg is not None and reg.active_key is None and reg.review_comment == "Bổ sung vị trí việc làm"
        assert (await s.execute(text("SELECT count(*) FROM outbox WHERE event_type='RegistrationApproved'"))
                ).scalar_one() == 0


async def test_starter_is_idempotent_by_workflow_id(rig: Rig) -> None:
    from shared.events.envelope import CloudEvent

    reg_id = await _flagged(rig.ctx)
    event = CloudEvent(type="RegistrationFlagged", source="/cadreflow/registration", subject=reg_id, data={
        "registration_id": reg_id, "official_id": "x", "official_name": "Nguyễn Văn An", "unit_code": "DONGXOAI",
        "programme_code": "CCLLCT", "plan_year": 2026, "class_id": None, "findings": FINDINGS,
        "policy_version": "registration-checks/2026-1"})

    async def client_of():  # type: ignore[no-untyped-def]
        return rig.env.client

    start = registration_review_starter(client_of, task_queue=rig.queue)
    await start(event)
    first = (await rig.env.client.get_workflow_handle(review_workflow_id(reg_id)).describe()).run_id
    await start(event)  # redelivered
    again = (await rig.env.client.get_workflow_handle(review_workflow_id(reg_id)).describe()).run_id
    assert first == again
    await _wait_task(rig)  # the event's official id reaches the view, for the link to the official's record
    assert rig.portal.created[0].request.dossier["official_id"] == "x"


async def test_the_review_goes_to_the_managing_bodys_approvers_and_says_which_rule_applied(rig: Rig) -> None:
    reg_id = await _flagged(rig.ctx)
    authority = ManagingAuthority(
        body="standing_committee", body_vi="Ban Thường vụ Tỉnh ủy", body_en="the Provincial Party Standing Committee",
        approver_roles=["committee_chair"], rule_id="provincial_leaders",
        rule_vi="Thuộc diện Ban Thường vụ Tỉnh ủy quản lý: lãnh đạo chủ chốt cấp huyện",
        rule_en="Managed by the Provincial Party Standing Committee: district key leaders",
        version_id="management-authority/qd-80-qd-tw-2022")
    await rig.env.client.start_workflow(RegistrationReview.run, replace(_input(reg_id), authority=authority),
                                        id=review_workflow_id(reg_id), task_queue=rig.queue)
    await _wait_task(rig)
    req = rig.portal.created[0].request
    assert req.candidate_roles == ["committee_chair"]
    assert (req.dossier["managing_body_vi"], req.dossier["authority_en"]) == (
        "Ban Thường vụ Tỉnh ủy", "Managed by the Provincial Party Standing Committee: district key leaders")


async def test_the_review_files_the_dossier_its_event_carried_and_goes_on_without_one(rig: Rig) -> None:
    reg_id = await _flagged(rig.ctx)
    facts = {"position": "Phó Trưởng phòng", "title": "", "category": "civil_servant", "age": 41,
             "retirement_date": "2045-08-31", "education": "bachelor", "political_theory": "elementary",
             "in_planning": False, "planning": [], "class_code": "", "class_start": "", "class_end": "",
             "trained_this_year": [{"class_code": "KT-26-03", "programme_code": "BDKT-164", "start": "2026-01-12",
                                    "end": "2026-01-16"}], "other_registrations": [], "classes": [],
             "quota_allocated": 12, "quota_used": 13, "programme_name": "Cao cấp lý luận chính trị"}
    await rig.env.client.start_workflow(RegistrationReview.run, replace(_input(reg_id), facts=facts,
                                                                        official_id="o-1"),
                                        id=review_workflow_id(reg_id), task_queue=rig.queue)
    await _wait_task(rig)
    assert rig.portal.created[0].request.dossier["official_id"] == "o-1"
    assert rig.portal.created[0].request.dossier["programme_name"] == "Cao cấp lý luận chính trị"  # not its code
    assert "Cao cấp lý luận chính trị (" in rig.portal.created[0].request.title_vi  # the title names it too
    filed = rig.portal.created[0].request.dossier["facts"]
    assert (filed["position"], filed["quota_allocated"], filed["quota_used"]) == ("Phó Trưởng phòng", 12, 13)
    assert filed["trained_this_year"][0]["class_code"] == "KT-26-03"
    # a dossier of another shape (a newer or broken event) is left out, not a workflow stuck on a bad task
    assert ReviewFacts.of({"position": 7, "unknown": True}) is None and ReviewFacts.of({}) is None
