"""Every workflow starts from an event: creating a class or a campaign commits its event in the same transaction
(nothing is started by the route), and the workflows process's starter starts exactly one workflow per event, with
an id derived from the event — also when the event is delivered twice, and also when Temporal was unreachable at
first (the event is read again, not dead-lettered)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from contracts.scheduling import class_lifecycle_id
from contracts.selection import campaign_workflow_id
from services.scheduling.models import CourseClass
from services.scheduling.schemas import ClassCreate
from services.scheduling.service import classes
from shared.config import Settings
from shared.events.envelope import CloudEvent, topic_of
from shared.events.factory import open_sink
from shared.events.transport import OutgoingMessage
from shared.metrics import DLQ_MESSAGES, WORKFLOW_EVENTS
from shared.process import ServiceRuntime, TemporalHandle
from shared.uow import unit_of_work
from tests.support.tools import start_time_skipping
from tests.unit.scheduling.support import BOARD, scheduling_context, seed_class, seed_programme
from workflows.main import consumers
from workflows.starters import (
    CAMPAIGN_STARTER_GROUP,
    CLASS_STARTER_GROUP,
    campaign_starter,
    class_starter,
    starter_consumer,
)


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    e = await start_time_skipping()
    yield e
    await e.shutdown()


async def test_scheduling_a_class_commits_class_scheduled_with_it(tmp_path: Path) -> None:
    ctx = await scheduling_context(tmp_path)
    try:
        await seed_programme(ctx)
        class_id = await seed_class(ctx, code="TC-1", today=date(2024, 3, 1))
        async with ctx.sessions() as s:
            rows = (await s.execute(text("SELECT payload FROM outbox"))).scalars().all()
        [event] = [json.loads(r) for r in rows if json.loads(r)["type"] == "ClassScheduled"]
        assert event["data"]["class_id"] == class_id and event["workflowid"] == class_lifecycle_id(class_id)

        class Boom(Exception):
            pass

        with pytest.raises(Boom):  # a failure after scheduling: neither the class nor its event is committed
            async with unit_of_work(ctx) as uow:
                await classes.schedule_class(uow, data=_class_body(), actor=BOARD)
                raise Boom
        async with ctx.sessions() as s:
            n_classes = (await s.execute(select(func.count()).select_from(CourseClass))).scalar()
            n_events = (await s.execute(text("SELECT count(*) FROM outbox WHERE payload LIKE '%ClassScheduled%'")))
            assert n_classes == 1 and n_events.scalar() == 1
    finally:
        await ctx.dispose()


def _class_body() -> ClassCreate:
    return ClassCreate.model_validate({
        "code": "TC-2", "programme_code": "LLCT-TC", "institution": "Trường Chính trị", "venue": "A",
        "start_date": "2024-04-01", "end_date": "2024-06-01", "capacity": 5, "target": 3,
        "enrolment_deadline": "2024-03-20", "sessions": [{"day": "2024-04-01", "hours": 4, "topic": "Khai giảng"}]})


def _event(etype: str, data: dict[str, object], event_id: str = "ev-1") -> CloudEvent:
    return CloudEvent(type=etype, source="/cadreflow/test", subject=str(data.get("class_id") or data["campaign_id"]),
                      data=data, id=event_id, time=datetime.now(UTC).isoformat())


def _started(workflow: str) -> float:
    return float(WORKFLOW_EVENTS.labels(workflow, "started")._value.get())


async def _status(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    return (await client.get_workflow_handle(workflow_id).describe()).status


async def test_a_class_starter_starts_one_lifecycle_for_a_redelivered_event(env: WorkflowEnvironment) -> None:
    async def client_of() -> Client:
        return env.client

    handle = class_starter(client_of)
    event = _event("ClassScheduled", {"class_id": "c-1", "class_code": "TC-1"})
    before = _started("ClassLifecycle")
    await handle(event)
    first = await env.client.get_workflow_handle(class_lifecycle_id("c-1")).describe()
    await handle(event)  # redelivered: WorkflowAlreadyStarted, nothing new
    again = await env.client.get_workflow_handle(class_lifecycle_id("c-1")).describe()
    assert first.status == WorkflowExecutionStatus.RUNNING and again.run_id == first.run_id
    assert _started("ClassLifecycle") - before == 1


async def test_a_campaign_is_started_through_the_event_log_once_even_delivered_twice(
        tmp_path: Path, env: WorkflowEnvironment) -> None:
    settings = Settings(data_dir=tmp_path)
    sink = open_sink(settings)
    calls = {"n": 0}

    async def flaky_client() -> Client:  # Temporal unreachable for the first two attempts
        calls["n"] += 1
        if calls["n"] <= 2:
            raise RuntimeError("Failed client connect: connection refused")
        return env.client

    event = _event("CampaignCreated", {"campaign_id": "k-1", "number": "12-KH/TU", "title": "t",
                                       "proposal_date": "2024-01-01", "groups": []})
    message = OutgoingMessage(topic_of("selection"), "k-1", event.to_json().encode(),
                              {"content-type": "application/cloudevents+json; charset=UTF-8"})
    await sink.publish([message, message])  # the relay re-published it (killed between publish and mark)
    before = _started("SelectionCampaign")
    consumer = starter_consumer(settings, sink, group=CAMPAIGN_STARTER_GROUP, service="selection",
                                event_type="CampaignCreated", handler=campaign_starter(flaky_client))
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        wf_id = campaign_workflow_id("12-KH/TU")
        for _ in range(200):
            try:
                if await _status(env.client, wf_id) == WorkflowExecutionStatus.RUNNING:
                    break
            except Exception:
                pass
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let it handle the duplicate too
    finally:
        stop.set()
        await task
        await sink.close()
    assert calls["n"] >= 4, "Temporal was asked again after it was unreachable, then for the duplicate"
    assert _started("SelectionCampaign") - before == 1
    assert _dead_lettered(CAMPAIGN_STARTER_GROUP) == 0, "an unreachable Temporal does not dead-letter the start"


def _dead_lettered(group: str) -> float:
    return sum(x.value for m in DLQ_MESSAGES.collect() for x in m.samples
               if x.name.endswith("_total") and x.labels.get("group") == group)


async def test_the_workflows_process_runs_both_starters(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    rt = ServiceRuntime(settings, None, open_sink(settings), TemporalHandle(settings))
    try:
        assert {CLASS_STARTER_GROUP, CAMPAIGN_STARTER_GROUP} <= {c.group for c in consumers(rt)}
    finally:
        await rt.sink.close()
