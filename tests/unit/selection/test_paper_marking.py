"""PaperMarking files a paper's markers' tasks in one activity and records the marks with each component's score
(``ONE_FILING``): one ``portal.create_tasks`` a paper, no ``selection.record_mark``. A run begun before that
(the history in ``tests/data/histories``, made by the code before it) replays on the code of now, so a deploy
during marking breaks no campaign. On the time-skipping server, with stand-in portal and selection activities."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from contracts.human_tasks import CreateTaskInput, TaskDecision
from contracts.selection import ComponentResult, MarkingInput, MarkRecord, PaperInput
from tests.support.portal_standin import Portal
from tests.support.seal import sealed
from tests.support.tools import start_time_skipping
from workflows.selection.essay import PaperMarking

HISTORY = Path(__file__).parents[2] / "data" / "histories" / "paper_marking_before_one_filing.json"
BANDS = {"resolve_max_spread": "5", "council_chair_min_spread": "10", "scale": "100", "pass_mark": "50",
         "version_id": "exam-marking/2023-1"}
# the essay's two marks differ by 7: the head of marking decides it; the interview's three agree within 5
MARKS = {"essay": {"gk.a": 70, "gk.b": 77}, "interview": {"pv.a": 80, "pv.b": 82, "pv.c": 81}}


@dataclass
class Selection:
    """selection.record_mark and selection.record_component, recording what the workflow sends."""

    marks: list[MarkRecord] = field(default_factory=list)
    components: list[ComponentResult] = field(default_factory=list)

    @activity.defn(name="selection.record_mark")
    async def record_mark(self, inp: MarkRecord) -> None:
        self.marks.append(inp)

    @activity.defn(name="selection.record_component")
    async def record_component(self, inp: ComponentResult) -> None:
        self.components.append(inp)


def _paper(code: str) -> MarkingInput:
    return MarkingInput("camp-1", [
        PaperInput("camp-1", code, "DONGXOAI", component, list(MARKS[component]), 14 * 86400, BANDS,
                   campaign_number="134-KH/TU", weight=weight)
        for component, weight in (("essay", "0.6"), ("interview", "0.4"))])


async def _mark_all(env: WorkflowEnvironment, portal: Portal, workflow_id: str) -> None:
    """Every marker marks their task; then the head of marking decides the essay (spread 7)."""
    handle = env.client.get_workflow_handle(workflow_id)

    async def decide(filed: CreateTaskInput, actor: str, role: str, mark: int) -> None:
        task_id = f"task-{portal.created.index(filed) + 1}"
        decision = TaskDecision(task_key=filed.request.task_key, task_id=task_id, action=filed.request.actions[0].name,
                                inputs={"mark": mark}, comment="", actor_id=actor, actor_role=role)
        await handle.execute_update("complete_task", await sealed(decision, workflow_id=workflow_id, env=env))

    await portal.filed(env, 5)  # all five are filed before anyone marks
    for filed in list(portal.created):
        component = filed.request.task_key.split(":", 1)[0]
        await decide(filed, str(filed.request.assignee), "examiner", MARKS[component][str(filed.request.assignee)])
    head = await portal.filed(env, 6)
    assert head.request.kind == "mark_discrepancy" and head.request.candidate_roles == ["marking_head"]
    await decide(head, "gk.truong", "marking_head", 74)


def _workers(env: WorkflowEnvironment, portal: Portal, selection: Selection, queue: str) -> tuple[Worker, ...]:
    return (Worker(env.client, task_queue=queue, workflows=[PaperMarking]),
            Worker(env.client, task_queue="portal", activities=portal.activities()),
            Worker(env.client, task_queue="selection", activities=[selection.record_mark,
                                                                   selection.record_component]))


async def _run(env: WorkflowEnvironment) -> tuple[Portal, Selection, list[ComponentResult], WorkflowHistory]:
    portal, selection, queue = Portal(), Selection(), f"wf-{uuid.uuid4()}"
    workflow_id = f"paper-{uuid.uuid4()}"
    wf, por, sel = _workers(env, portal, selection, queue)
    async with wf, por, sel:
        handle = await env.client.start_workflow(PaperMarking.run, _paper("K7Q2MX"), id=workflow_id,
                                                 task_queue=queue, result_type=list[ComponentResult])
        await _mark_all(env, portal, workflow_id)
        results = await handle.result()
        history = await handle.fetch_history()
    return portal, selection, results, history


@pytest.fixture
async def env() -> Any:
    env = await start_time_skipping()
    async with env:
        yield env


async def test_a_paper_files_its_tasks_at_once_and_records_its_marks_with_each_score(env: WorkflowEnvironment) -> None:
    portal, selection, results, _ = await _run(env)
    assert portal.batches == [5], "the two essay and three interview tasks are filed by one create_tasks"
    assert selection.marks == [], "no record_mark of its own for each mark"
    by_component = {c.component: c for c in selection.components}
    essay, interview = by_component["essay"], by_component["interview"]
    assert [(r.marker_id, r.mark, r.kind) for r in essay.records] == [
        ("gk.a", "70", "mark"), ("gk.b", "77", "mark"), ("gk.truong", "74", "discrepancy")]
    assert essay.score == "74" and essay.decided_by == "marking_head"
    assert sorted((r.marker_id, r.mark) for r in interview.records) == [("pv.a", "80"), ("pv.b", "82"),
                                                                        ("pv.c", "81")]
    assert all(r.code == "K7Q2MX" and r.campaign_id == "camp-1" for c in results for r in c.records)
    assert [c.decision.inputs["mark"] for c in portal.closed if c.decision.actor_id == "gk.truong"] == [74]
    assert len(portal.closed) == 6, "every decision is closed in the inbox (the portal's audit record)"


async def test_a_run_begun_before_one_filing_replays_on_the_code_of_now() -> None:
    history = WorkflowHistory.from_json("paper-before", json.loads(HISTORY.read_text(encoding="utf-8")))
    names = [e.get("activityTaskScheduledEventAttributes", {}).get("activityType", {}).get("name")
             for e in json.loads(HISTORY.read_text(encoding="utf-8"))["events"]]
    assert names.count("portal.create_task") == 6 and names.count("selection.record_mark") == 6, \
        "the stored history is of the code before ONE_FILING"
    await Replayer(workflows=[PaperMarking]).replay_workflow(history)  # raises on a nondeterminism


async def write_history_of_this_code(path: Path = HISTORY) -> None:
    """Store a run of the checked-out code's PaperMarking (how the stored history was made, at 08b2d56)."""
    env = await start_time_skipping()
    async with env:
        *_, history = await _run(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(history.to_json(), encoding="utf-8")
