"""Campaign benchmark (not a test): a whole selection campaign with N candidates, end to end, with automated
actors (units nominate, voters cast ballots through the API, the Organization Board confirms, examiners and
panel members mark, the committee votes, the chair records), against a bare Temporal workflow running the same
number of no-op activities (in batches as concurrent as the campaign's papers) on the same server, in the same
run. Prints candidates per second and the ratio bare-time / campaign-time (target ≥ 0.5), and one `RESULT` line
(bench.result).

    CADRE_TEST_PG_DSN=… CADRE_TEST_TEMPORAL=… .venv/bin/python -m bench.campaign --n 500   # (or: make bench)
    CADRE_TEST_TEMPORAL=… .venv/bin/python -m bench.campaign --n 100 --sqlite          # SQLite selection database

Each run uses its own Temporal namespace (created and deleted), so no other worker takes its tasks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor, Worker

from bench.campaign_bare import BenchBare, noop
from bench.result import emit, need, tool
from contracts import queues
from contracts.human_tasks import (
    COMPLETE_TASK_UPDATE,
    CloseTaskInput,
    CreateTaskInput,
    CreateTasksInput,
    TaskDecision,
    TaskOverdueInput,
)
from contracts.selection import CLOSE_CONFERENCE_SIGNAL
from services.selection import main as selection_main
from services.selection.activities import SelectionActivities
from services.selection.models import INFRA, metadata
from shared import seal
from shared.auth import issue_token
from shared.config import Settings
from shared.context import build_context
from shared.events.factory import open_sink
from shared.events.relay import Relay
from shared.migrate import upgrade
from shared.process import ServiceRuntime, TemporalHandle
from shared.temporal import poller_options
from shared.temporal_payloads import data_converter
from tests.unit.selection.fakes import FakeOfficialDirectory
from tests.unit.selection.support import campaign_payload, official
from workflows.selection import workflow_types
from workflows.starters import CAMPAIGN_STARTER_GROUP, campaign_starter, starter_consumer

UNITS = [f"U{i:02d}" for i in range(10)]
COUNT = {"activities": 0}
WAITS: dict[str, list[float]] = {}  # activity type → seconds from scheduled to started (queue time)
RUNS: dict[str, list[float]] = {}  # activity type → seconds it ran
ACTIVITY_SLOTS = 50
TARGET = 0.5  # the same for the campaign's selection worker and the bare worker

BENCH_SIGNER = seal.Signer(Ed25519PrivateKey.generate(), ttl_seconds=seal.MAX_TTL_SECONDS - 60)
seal.trust([BENCH_SIGNER.public])


class _Counting(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        class Inbound(ActivityInboundInterceptor):
            async def execute_activity(self, input: ExecuteActivityInput) -> Any:
                COUNT["activities"] += 1
                info = activity.info()
                WAITS.setdefault(info.activity_type, []).append(
                    (info.started_time - info.current_attempt_scheduled_time).total_seconds())
                began = time.perf_counter()
                try:
                    return await super().execute_activity(input)
                finally:
                    RUNS.setdefault(info.activity_type, []).append(time.perf_counter() - began)

        return Inbound(next)


@dataclass
class Actors:
    """The automated people: every inbox task is answered shortly after it is filed."""

    client: Client
    rng: random.Random

    def answer(self, inp: CreateTaskInput) -> tuple[str, dict[str, Any], str]:
        r, kind = inp.request, inp.request.kind
        if kind in ("essay_mark", "interview_score"):
            return "mark", {"mark": self.rng.choice([60, 62, 64, 65, 70, 75, 80])}, r.assignee or "examiner"
        if kind == "mark_discrepancy":
            return "decide", {"mark": 66}, "head"
        if kind == "committee_vote":
            return "vote", {c["candidate_id"]: "approve" for c in r.dossier["candidates"]}, r.assignee or "m"
        if kind == "committee_decision":
            return "decide", {"decision_number": f"{r.dossier['group']}-QĐ/TU"}, r.assignee or "chair"
        if kind == "tie_break":
            return "order", {"order": ",".join(r.dossier["candidate_ids"])}, "chair"
        return "confirm", {}, "btc.confirmer"  # not btc.bench, who proposed the nominees (own action)

    async def act(self, inp: CreateTaskInput) -> None:
        action, inputs, actor = self.answer(inp)
        role = inp.request.candidate_roles[0] if inp.request.candidate_roles else "bench"
        decision = TaskDecision(inp.request.task_key, _task_id(inp), action, inputs, "", actor, role)
        decision = BENCH_SIGNER.seal(decision, workflow_id=inp.workflow_id)  # the workflows accept sealed ones only
        handle = self.client.get_workflow_handle(inp.workflow_id)
        pause = 0.25  # a person opens the task a moment after it is filed; the workflow opens it meanwhile
        for _ in range(60):
            await asyncio.sleep(pause)
            try:
                await handle.execute_update(COMPLETE_TASK_UPDATE, decision)
                return
            except WorkflowUpdateFailedError as exc:
                if "task_not_open" not in str(exc.cause):
                    raise
                pause = min(2.0, pause * 2)

    @activity.defn(name="portal.create_task")
    async def create_task(self, inp: CreateTaskInput) -> str:
        asyncio.get_running_loop().create_task(self.act(inp))
        return _task_id(inp)

    @activity.defn(name="portal.create_tasks")
    async def create_tasks(self, inp: CreateTasksInput) -> list[str]:
        return [await self.create_task(one) for one in inp.tasks]

    @activity.defn(name="portal.task_overdue")
    async def task_overdue(self, inp: TaskOverdueInput) -> None:
        return None

    @activity.defn(name="portal.close_task")
    async def close_task(self, inp: CloseTaskInput) -> None:
        return None


async def _until_started(client: Client, workflow_id: str) -> None:
    """Wait until a workflow exists (the campaign starts from its event, a moment after POST /campaigns)."""
    for _ in range(600):
        try:
            await client.get_workflow_handle(workflow_id).describe()
            return
        except RPCError:
            await asyncio.sleep(0.05)
    raise SystemExit(f"workflow {workflow_id} never started")


def _task_id(inp: CreateTaskInput) -> str:
    """The id the stand-in portal files a task under; the decision must name it (the validator checks)."""
    return f"t-{inp.workflow_id}-{inp.request.task_key}"


def _namespace(action: str, name: str, address: str) -> None:
    args = [tool("temporal"), "operator", "namespace", action, "--namespace", name,
            "--address", address] + (["--yes"] if action == "delete" else [])
    subprocess.run(args, check=action == "create", capture_output=True, timeout=60)


def _payload(n: int, now: datetime) -> dict[str, Any]:
    far = now + timedelta(days=30)
    body = campaign_payload(f"B{uuid.uuid4().hex[:5].upper()}-KH/TU", now, seats=(23, 25), conferences=[
        {"code": f"HN-{u}", "unit_code": u, "roster": [f"{u}-v{i}" for i in range(20)], "max_names": 100,
         "close_at": far.isoformat()} for u in UNITS])
    body["exam"]["examiners"] = [{"user_id": f"gk.{i}", "unit_code": "TRUONGCT"} for i in range(6)]
    body["exam"]["interview_panel"] = [{"user_id": f"pv.{i}", "unit_code": "TINHUY"} for i in range(3)]
    body["committee"] = {"members": [f"tv.{i}" for i in range(14)] + ["bt.chair"], "chair": "bt.chair"}
    return body


async def run_campaign(client: Client, settings: Settings, url: str, n: int) -> float:
    """Time one campaign of n candidates from POST /campaigns to the workflow's result."""
    await upgrade("selection", url)
    ctx = build_context("selection", settings, metadata, INFRA, url=url)
    records = {f"off-{i}": official(f"off-{i}", f"Nguyễn Văn {i}", UNITS[i % len(UNITS)]) for i in range(n)}
    rt = ServiceRuntime(settings, ctx, open_sink(settings), TemporalHandle(settings))
    rt.temporal._client = client
    app = selection_main.spec().make_app(rt)
    directory = FakeOfficialDirectory(records)
    app.state.directory = directory  # nominations are checked against the records screening reads
    actors = Actors(client, random.Random(7))
    board = {"authorization": "Bearer " + issue_token(settings, user_id="btc.bench", roles=["organization_board"],
                                                      units=["*"])}
    acts = SelectionActivities(ctx, directory).all()
    icpt: list[Interceptor] = [_Counting()]
    # as deployed, POST /campaigns only commits the campaign and its CampaignCreated event: selection's outbox relay
    # publishes it and the workflows process's starter starts the campaign from it (part of what is timed)
    stop = asyncio.Event()
    starter = starter_consumer(settings, rt.sink, group=CAMPAIGN_STARTER_GROUP, service="selection",
                               event_type="CampaignCreated", handler=campaign_starter(rt.temporal.client))
    background = [asyncio.create_task(Relay(ctx, rt.sink).run(stop)), asyncio.create_task(starter.run(stop))]
    try:
        return await _play(client, app, actors, board, acts, icpt, n)
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await rt.sink.close()
        await ctx.dispose()


async def _play(client: Client, app: Any, actors: Actors, board: dict[str, str], acts: list[Any],
                icpt: list[Interceptor], n: int) -> float:
    async with Worker(client, task_queue=queues.WORKFLOWS, workflows=workflow_types(), max_cached_workflows=4000), \
            Worker(client, task_queue=queues.SELECTION, activities=acts, interceptors=icpt,
                   max_concurrent_activities=ACTIVITY_SLOTS, **poller_options()), \
            Worker(client, task_queue=queues.PORTAL, activities=[actors.create_task, actors.create_tasks,
                                                            actors.task_overdue, actors.close_task], interceptors=icpt,
                   **poller_options()), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://selection",
                              timeout=60) as http:
        started = time.perf_counter()
        phase = lambda name: print(f"  {time.perf_counter() - started:7.1f} s  {name}", flush=True)  # noqa: E731
        created = (await http.post("/campaigns", headers=board, json=_payload(n, datetime.now(UTC)))).json()
        cid, wid = created["id"], created["workflow_id"]
        await _until_started(client, wid)
        ids: dict[str, list[str]] = {u: [] for u in UNITS}
        for i in range(n):
            unit = UNITS[i % len(UNITS)]
            resp = await http.post(f"/campaigns/{cid}/nominations", headers=board, json={
                "official_id": f"off-{i}", "full_name": f"Nguyễn Văn {i}", "unit_code": unit,
                "group_code": "G1" if i % 2 else "G2", "evaluation": "Hoàn thành tốt nhiệm vụ"})
            ids[unit].append(resp.json()["id"])
        phase("nominated")
        for unit in UNITS:
            tokens = (await http.post(f"/campaigns/{cid}/conferences/HN-{unit}/tokens", headers=board)).json()
            for token in tokens["tokens"]:
                await http.post("/ballots", json={"token": token, "nominees": ids[unit]})
            await _until_started(client, f"{wid}-conference-HN-{unit}")
            await client.get_workflow_handle(f"{wid}-conference-HN-{unit}").signal(CLOSE_CONFERENCE_SIGNAL)
        phase("voted; conferences closing")

        async def watch() -> None:
            seen = ""
            while True:
                step = (await http.get(f"/campaigns/{cid}", headers=board)).json()["step"]
                if step != seen:
                    phase(f"step {step}")
                    seen = step
                await asyncio.sleep(0.5)

        watcher = asyncio.create_task(watch())
        result = await client.get_workflow_handle(wid).result()
        watcher.cancel()
        elapsed = time.perf_counter() - started
        assert result["step"] == "decided", result
    return elapsed


async def profile_histories(client: Client, prefix: str) -> None:
    """Per workflow type (the campaign's workflows, ids starting with `prefix`): how many there were, history
    events and workflow tasks each (mean), and how long workflow tasks waited from scheduled to started (p50/p90)."""
    from temporalio.api.enums.v1 import EventType

    per: dict[str, dict[str, list[float]]] = {}
    async for wf in client.list_workflows():
        if not wf.id.startswith(prefix):
            continue
        history = await client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history()
        row = per.setdefault(wf.workflow_type, {"events": [], "tasks": [], "wait": []})
        row["events"].append(len(history.events))
        scheduled: dict[int, float] = {}
        tasks = 0
        for e in history.events:
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                scheduled[e.event_id] = e.event_time.ToDatetime().timestamp()
            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                tasks += 1
                at = scheduled.get(e.workflow_task_started_event_attributes.scheduled_event_id)
                if at is not None:
                    row["wait"].append(e.event_time.ToDatetime().timestamp() - at)
        row["tasks"].append(tasks)
    for name, row in sorted(per.items()):
        n, waits = len(row["events"]), sorted(row["wait"]) or [0.0]
        print(f"  {name:22s} x{n:4d}  events {sum(row['events']) / n:7.1f}  workflow tasks {sum(row['tasks']) / n:6.1f}"
              f"  task waits p50 {waits[len(waits) // 2]:.2f} s  p90 {waits[int(len(waits) * 0.9)]:.2f} s",
              flush=True)


def _print_activity_times() -> None:
    """Where the campaign's activities waited (scheduled → started) and ran, per type: p50 / p90 / max."""
    def q(xs: list[float]) -> str:
        xs = sorted(xs)
        return f"{xs[len(xs) // 2]:.2f} / {xs[int(len(xs) * 0.9)]:.2f} / {xs[-1]:.2f} s"

    for name in sorted(WAITS):
        print(f"  {name:28s} n={len(WAITS[name]):5d}  queued {q(WAITS[name])}  ran {q(RUNS.get(name) or [0.0])}",
              flush=True)


async def run_bare(client: Client, total: int, batch: int) -> float:
    """Time the bare workflow with `total` no-op activities."""
    async with Worker(client, task_queue="bench", workflows=[BenchBare], activities=[noop],
                      max_concurrent_activities=ACTIVITY_SLOTS, **poller_options()):  # polled as the services' are
        started = time.perf_counter()
        await client.execute_workflow(BenchBare.run, [total, batch], id=f"bench-bare-{uuid.uuid4().hex}",
                                      task_queue="bench")
        return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="print history events and workflow tasks per workflow type of the campaign")
    args = parser.parse_args()
    (address,) = need("CADRE_TEST_TEMPORAL")
    if not args.sqlite:
        need("CADRE_TEST_PG_DSN")
    namespace = f"cadre-bench-{uuid.uuid4().hex[:8]}"
    _namespace("create", namespace, address)
    await asyncio.sleep(2)
    tmp = Path(tempfile.mkdtemp())
    try:
        client = await Client.connect(address, namespace=namespace, data_converter=data_converter())
        if args.sqlite:
            settings, url = Settings(data_dir=tmp), f"sqlite+aiosqlite:///{tmp}/selection.db"
        else:
            import psycopg

            name = f"cadre_bench_{uuid.uuid4().hex[:8]}"
            admin = os.environ["CADRE_TEST_PG_DSN"]
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
            settings = Settings(data_dir=tmp)
        campaign_s = await run_campaign(client, settings, url, args.n)
        activities = COUNT["activities"]
        print(f"campaign: {campaign_s:.1f} s for {args.n} candidates, {activities} activities", flush=True)
        _print_activity_times()
        if args.profile:
            await profile_histories(client, "selection-campaign-")
        bare_s = await run_bare(client, activities, batch=2 * args.n)
        print(f"candidates={args.n} activities={activities} database={'sqlite' if 'sqlite' in url else 'postgresql'}")
        print(f"campaign: {campaign_s:.1f} s, {args.n / campaign_s:.1f} candidates/s, "
              f"{activities / campaign_s:.0f} activities/s")
        print(f"bare: {bare_s:.1f} s, {activities / bare_s:.0f} activities/s")
        print(f"ratio bare/campaign = {bare_s / campaign_s:.2f} (target >= {TARGET})")
        emit(f"campaign: bare workflow / whole campaign ({args.n} candidates, {activities:,} activities, "
             f"{'SQLite' if args.sqlite else 'PostgreSQL'})", baseline=f"{bare_s:.1f} s", ours=f"{campaign_s:.1f} s",
             ratio=bare_s / campaign_s, target=f"≥ {TARGET}", met=bare_s / campaign_s >= TARGET)
    finally:
        _namespace("delete", namespace, address)


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # temporalio's runtime threads can abort a normal interpreter exit (see tests/conftest.py)
