"""Building blocks for selection's tests: a migrated SQLite database, a campaign payload, officials' records,
the stand-in portal (same activity names as the real portal) and the in-process selection API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from contracts import queues
from contracts.human_tasks import (
    COMPLETE_TASK_UPDATE,
    CloseTaskInput,
    CreateTaskInput,
    CreateTasksInput,
    TaskDecision,
    TaskOverdueInput,
)
from services.selection import main as selection_main
from services.selection.activities import SelectionActivities
from services.selection.models import INFRA, metadata
from shared.auth import issue_token
from shared.config import Settings
from shared.context import ServiceContext, build_context
from shared.events.factory import open_sink
from shared.events.relay import Relay
from shared.migrate import upgrade
from shared.process import ServiceRuntime, TemporalHandle
from tests.support.seal import sealed
from tests.support.tools import start_time_skipping
from tests.unit.selection.fakes import FakeOfficialDirectory
from workflows.selection import workflow_types
from workflows.starters import CAMPAIGN_STARTER_GROUP, campaign_starter, starter_consumer


async def selection_ctx(tmp: Path) -> tuple[Settings, ServiceContext]:
    """Selection's database on a fresh SQLite file, migrated to head."""
    settings = Settings(data_dir=tmp)
    url = settings.db_url("selection")
    await upgrade("selection", url)
    return settings, build_context("selection", settings, metadata, INFRA, url=url)


def official(oid: str, name: str, unit: str, *, born: int = 1985, gender: str = "male",
             theory: str = "intermediate", education: str = "master") -> dict[str, Any]:
    """A registration record as `GET /officials/{id}` returns it."""
    return {"id": oid, "full_name": name, "gender": gender, "birth": {"year": born, "month": 5, "day": 10},
            "unit_code": unit, "education": education, "political_theory": theory,
            "ratings": {"2020": "HTTNV", "2021": "HTTNV", "2022": "HTXSNV"}, "in_planning": True,
            "service_start": "2010-09-01", "discipline": [], "retirement_date": None, "age": 2023 - born}


def campaign_payload(number: str, now: datetime, *, conferences: list[dict[str, Any]] | None = None,
                     seats: tuple[int, int] = (23, 25)) -> dict[str, Any]:
    """A campaign like Kế hoạch 134-KH/TU, with deadlines months after `now`."""
    day = timedelta(days=1)
    criteria = {"max_age": 45, "min_political_theory": "intermediate", "min_education": "bachelor",
                "rating_years": 2, "min_rating": "HTTNV", "require_in_planning": True, "min_service_years": 5}
    return {
        "number": number, "title": "Tuyển chọn, đào tạo cán bộ nguồn năm 2023", "proposal_date": "2023-06-01",
        "groups": [{"code": "G1", "name": "Nhóm 1 — cấp tỉnh", "seats": seats[0], "class_id": "class-g1",
                    "criteria": criteria},
                   {"code": "G2", "name": "Nhóm 2 — cấp huyện", "seats": seats[1], "criteria": criteria}],
        "conferences": conferences or [
            {"code": "HN-DX", "unit_code": "DONGXOAI", "roster": [f"dx-voter-{i}" for i in range(5)], "max_names": 3,
             "close_at": (now + 20 * day).isoformat()},
            {"code": "HN-BL", "unit_code": "BINHLONG", "roster": [f"bl-voter-{i}" for i in range(4)], "max_names": 2,
             "close_at": (now + 25 * day).isoformat(), "base": "present"}],
        "exam": {"weights": {"essay": "0.6", "interview": "0.4"}, "specialised_component": "interview",
                 "examiners": [{"user_id": "gk.a", "unit_code": "TRUONGCT"},
                               {"user_id": "gk.b", "unit_code": "SONOIVU"},
                               {"user_id": "gk.c", "unit_code": "DONGXOAI"}],
                 "interview_panel": [{"user_id": "pv.a", "unit_code": "TINHUY"},
                                     {"user_id": "pv.b", "unit_code": "BINHLONG"},
                                     {"user_id": "pv.c", "unit_code": "SONOIVU"}]},
        "committee": {"members": ["tv.1", "tv.2", "tv.3", "tv.4", "bt.chair"], "chair": "bt.chair"},
        "deadlines": {"nomination_confirmation": (now + 35 * day).isoformat(),
                      "screening": (now + 50 * day).isoformat(), "marking": (now + 90 * day).isoformat(),
                      "committee": (now + 120 * day).isoformat()},
    }


@dataclass
class Portal:
    """The stand-in portal: records every request; the test plays the approvers through the Update."""

    client: Client
    env: WorkflowEnvironment | None = None  # the time-skipping server, whose clock the seals start at
    created: list[CreateTaskInput] = field(default_factory=list)
    overdue: list[TaskOverdueInput] = field(default_factory=list)
    closed: list[CloseTaskInput] = field(default_factory=list)
    done: set[str] = field(default_factory=set)

    @activity.defn(name="portal.create_task")
    async def create_task(self, inp: CreateTaskInput) -> str:
        self.created.append(inp)
        return f"task-{inp.workflow_id}-{inp.request.task_key}"

    @activity.defn(name="portal.create_tasks")
    async def create_tasks(self, inp: CreateTasksInput) -> list[str]:
        return [await self.create_task(one) for one in inp.tasks]

    @activity.defn(name="portal.task_overdue")
    async def task_overdue(self, inp: TaskOverdueInput) -> None:
        self.overdue.append(inp)

    @activity.defn(name="portal.close_task")
    async def close_task(self, inp: CloseTaskInput) -> None:
        self.closed.append(inp)

    def open(self, kind: str) -> list[CreateTaskInput]:
        """Tasks of a kind not yet completed by the test."""
        return [t for t in self.created if t.request.kind == kind and self._key(t) not in self.done]

    async def wait_for(self, kind: str, count: int, timeout: float = 30) -> list[CreateTaskInput]:
        """Wait (real time) until `count` open tasks of a kind exist."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.open(kind)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} open {kind} tasks, have {len(self.open(kind))}: "
                                     f"{[t.request.kind for t in self.created]}")
            await asyncio.sleep(0.05)
        return self.open(kind)

    async def complete(self, task: CreateTaskInput, *, actor: str, role: str, action: str,
                       inputs: dict[str, Any] | None = None, comment: str = "") -> None:
        """Act as the approver: send the complete_task Update to the workflow that asked."""
        handle = self.client.get_workflow_handle(task.workflow_id)
        decision = TaskDecision(task_key=task.request.task_key,
                                task_id=f"task-{task.workflow_id}-{task.request.task_key}", action=action,
                                inputs=inputs or {}, comment=comment, actor_id=actor, actor_role=role)
        decision = await sealed(decision, workflow_id=task.workflow_id, env=self.env)
        for attempt in range(100):
            try:
                await handle.execute_update(COMPLETE_TASK_UPDATE, decision)
                break
            except WorkflowUpdateFailedError as exc:
                # the inbox row exists as soon as create_task returns; the workflow opens the task on its next
                # workflow task, so an approver as fast as this test can arrive a moment early
                if "task_not_open" not in str(exc.cause) or attempt == 99:
                    raise
                await asyncio.sleep(0.05)
        self.done.add(self._key(task))

    @staticmethod
    def _key(t: CreateTaskInput) -> str:
        return f"{t.workflow_id}/{t.request.task_key}"


@dataclass
class Harness:
    """Time-skipping Temporal, selection's workers and API in-process, a fake officials directory."""

    env: WorkflowEnvironment
    settings: Settings
    ctx: ServiceContext
    portal: Portal
    directory: FakeOfficialDirectory
    http: httpx.AsyncClient

    def token(self, user: str, roles: list[str], units: list[str] | None = None) -> dict[str, str]:
        """Authorization header for a principal."""
        return {"authorization": "Bearer " + issue_token(self.settings, user_id=user, roles=roles,
                                                         units=units or ["*"])}

    @property
    def board(self) -> dict[str, str]:
        return self.token("btc.nguyenvanhai", ["organization_board"])


async def _started_from_event(env: WorkflowEnvironment, response: httpx.Response) -> None:
    """After POST /campaigns, wait until the starter has started the campaign's workflow from CampaignCreated (the
    route only commits the campaign and its event), so a test goes on from a running campaign."""
    if response.request.method != "POST" or response.request.url.path != "/campaigns" or response.status_code > 201:
        return
    await response.aread()
    handle = env.client.get_workflow_handle(response.json()["workflow_id"])
    for _ in range(300):
        try:
            await handle.describe()
            return
        except RPCError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"no workflow started from CampaignCreated: {handle.id}")


@asynccontextmanager
async def harness(tmp: Path, records: dict[str, dict[str, Any]] | None = None) -> AsyncIterator[Harness]:
    """Everything a campaign needs, on the time-skipping test server (auto-skipping is not used): selection's API,
    activities and outbox relay, and the workflows process's campaign starter on the embedded event log."""
    settings, ctx = await selection_ctx(tmp)
    directory = FakeOfficialDirectory(records)
    env = await start_time_skipping()
    portal = Portal(env.client, env)
    acts = SelectionActivities(ctx, directory)
    rt = ServiceRuntime(settings, ctx, open_sink(settings), TemporalHandle(settings))
    rt.temporal._client = env.client
    app = selection_main.spec().make_app(rt)
    app.state.directory = directory  # nominations are checked against the same records screening reads
    stop = asyncio.Event()
    starter = starter_consumer(settings, rt.sink, group=CAMPAIGN_STARTER_GROUP, service="selection",
                               event_type="CampaignCreated", handler=campaign_starter(rt.temporal.client))
    background = [asyncio.create_task(Relay(ctx, rt.sink).run(stop)), asyncio.create_task(starter.run(stop))]

    async def on_response(response: httpx.Response) -> None:
        await _started_from_event(env, response)

    try:
        async with Worker(env.client, task_queue=queues.WORKFLOWS, workflows=workflow_types()), \
                Worker(env.client, task_queue=queues.SELECTION, activities=acts.all()), \
                Worker(env.client, task_queue="portal",
                       activities=[portal.create_task, portal.create_tasks, portal.task_overdue, portal.close_task]), \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://selection",
                                  event_hooks={"response": [on_response]}) as http:
            yield Harness(env, settings, ctx, portal, directory, http)
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await rt.sink.close()
        await env.shutdown()
        await ctx.dispose()


def unique_number() -> str:
    """A fresh campaign number."""
    return f"{uuid.uuid4().hex[:4].upper()}-KH/TU"
