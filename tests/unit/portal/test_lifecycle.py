"""A task's life in the portal: filed once, reminded, escalated, held, substituted, decided, closed and audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from temporalio.exceptions import ApplicationError

from contracts.human_tasks import (
    CloseTaskInput,
    CreateTaskInput,
    CreateTasksInput,
    TaskDecision,
    TaskOverdueInput,
    TaskRequest,
)
from contracts.stalls import stall_actions
from services.portal.models import Task, TaskView
from services.portal.service.gauges import refresh
from shared.audit import digest
from tests.unit.portal.samples import sample_dossier
from tests.unit.portal.support import MARK, Portal, make_portal


@pytest.fixture
async def portal(tmp_path: Path) -> Portal:
    return await make_portal(tmp_path)


async def _events(portal: Portal, event_type: str) -> list[dict]:  # type: ignore[type-arg]
    async with portal.ctx.sessions() as s:
        rows = (await s.execute(text("SELECT payload FROM outbox WHERE event_type=:t ORDER BY seq"),
                                {"t": event_type})).all()
    return [json.loads(r[0])["data"] for r in rows]


async def test_create_is_idempotent_on_workflow_id_and_task_key(portal: Portal) -> None:
    first = await portal.ask(key="review")
    assert await portal.ask(key="review") == first
    assert await portal.ask(key="review", workflow_id="wf-2") != first
    assert await portal.ask(key="second") != first
    created = await _events(portal, "TaskCreated")
    assert len(created) == 3
    assert created[0]["dossier_digest"] == digest(sample_dossier("registration_review"))


async def test_tasks_filed_together_are_filed_once_each_and_refused_whole_when_one_is_invalid(portal: Portal) -> None:
    def request(key: str, assignee: str, **extra: object) -> CreateTaskInput:
        dossier = sample_dossier("essay_mark") or {}
        return CreateTaskInput("wf-paper", "run-1", "PaperMarking", "complete_task", TaskRequest(
            task_key=key, kind="essay_mark", title_vi=f"Chấm bài viết — {key}", title_en=f"Mark essay — {key}",
            subject="paper:K7Q2MX", candidate_roles=["examiner"], actions=[MARK], assignee=assignee,
            dossier={**dossier, **extra}))

    batch = CreateTasksInput([request("essay:K7Q2MX:round1", "gk.hoangminhduc"),
                              request("essay:K7Q2MX:round2", "gk.vuthilan")])
    ids = await portal.acts.create_tasks(batch)
    assert len(set(ids)) == 2
    assert await portal.acts.create_tasks(batch) == ids, "a retried filing gets the same tasks"
    assert await portal.acts.create_task(batch.tasks[1]) == ids[1]
    async with portal.client("gk.vuthilan") as c:
        mine = (await c.get("/tasks")).json()["items"]
    assert [t["id"] for t in mine] == [ids[1]]
    assert len(await _events(portal, "TaskCreated")) == 2

    broken = CreateTasksInput([request("essay:AB12CD:round1", "gk.hoangminhduc"),
                               request("essay:AB12CD:round2", "gk.vuthilan", unexpected="x")])
    with pytest.raises(ApplicationError) as refused:
        await portal.acts.create_tasks(broken)
    assert refused.value.non_retryable and refused.value.type == "task_dossier_invalid"
    async with portal.ctx.sessions() as s:
        filed = (await s.execute(select(func.count()).select_from(Task).where(Task.subject == "paper:AB12CD"))).scalar()
    assert filed == 0, "nothing of a refused filing is kept"


async def test_overdue_reminds_then_escalates_to_the_groups_head(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK])
    async with portal.client("btc.nguyenvanhai") as c:
        assert task not in {t["id"] for t in (await c.get("/tasks")).json()["items"]}
    await portal.acts.task_overdue(TaskOverdueInput(task, "reminded"))
    await portal.acts.task_overdue(TaskOverdueInput(task, "reminded"))
    async with portal.client("gk.hoangminhduc") as c:
        body = (await c.get("/tasks", params={"overdue": "true"})).json()
    assert [t["id"] for t in body["items"]] == [task] and body["items"][0]["overdue"] is True
    assert body["overdue_count"] == 1
    await portal.acts.task_overdue(TaskOverdueInput(task, "escalated", ["marking_head", "organization_board"]))
    async with portal.client("btc.nguyenvanhai") as c:
        board = (await c.get("/tasks")).json()["items"]
    assert [t["id"] for t in board] == [task] and board[0]["escalated"] is True
    assert board[0]["candidate_roles"] == ["examiner", "marking_head", "organization_board"]
    assert len(await _events(portal, "TaskReminded")) == 1, "a repeated reminder emits nothing"
    assert (await _events(portal, "TaskEscalated"))[0]["escalation_roles"] == ["marking_head", "organization_board"]


async def test_close_writes_the_audit_record_of_the_signature(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK],
                            dossier={"Bài thi": "Mã phách 0417"})
    async with portal.client("gk.hoangminhduc") as c:
        await c.post(f"/tasks/{task}/delegate", json={"to": "gk.vuthilan", "reason": "Ốm đột xuất"})
    async with portal.client("gk.vuthilan") as c:
        assert (await c.post(f"/tasks/{task}/complete", json={"action": "mark", "inputs": {"mark": 72},
                                                               "comment": "Bài tốt"})).status_code == 200
        assert (await c.get(f"/tasks/{task}")).json()["status"] == "completing"
    decision: TaskDecision = portal.sender.sent[0][2]
    await portal.acts.close_task(CloseTaskInput(task, decision))
    await portal.acts.close_task(CloseTaskInput(task, decision))  # a retried activity writes nothing more
    async with portal.ctx.sessions() as s:
        rows = (await s.execute(text("SELECT action, body FROM audit_log WHERE subject=:s AND action LIKE 'task.m%'"),
                                {"s": f"task:{task}"})).all()
        row = await s.get(Task, task)
    assert row is not None and row.status == "completed" and row.decided_by == "gk.vuthilan"
    assert len(rows) == 1 and rows[0][0] == "task.mark"
    body = json.loads(rows[0][1])
    assert body["actor"] == {"user_id": "gk.vuthilan", "role": "examiner", "on_behalf_of": "gk.hoangminhduc"}
    assert body["inputs"]["dossier_digest"] == digest({"Bài thi": "Mã phách 0417"})
    assert body["inputs"]["signature"] == "mark" and body["inputs"]["inputs"] == {"mark": 72}
    assert body["workflow_id"] == "wf-1" and body["run_id"] == "run-1"
    assert "thay mặt gk.hoangminhduc" in body["reason"]["vi"] and "on behalf of" in body["reason"]["en"]
    completed = await _events(portal, "TaskCompleted")
    assert len(completed) == 1 and completed[0]["signature"] == "mark"
    async with portal.client("gk.vuthilan") as c:
        assert [t["id"] for t in (await c.get("/tasks", params={"status": "completed"})).json()["items"]] == [task]
        assert (await c.get("/tasks")).json()["total"] == 0


async def test_substitute_routes_open_and_new_tasks_to_the_delegate(portal: Portal) -> None:
    held = await portal.ask(key="a", assignee="btc.nguyenvanhai")
    now = datetime.now(UTC)
    async with portal.client("btc.nguyenvanhai") as c:
        bad = await c.post("/substitutes", json={"delegate": "btc.tranthithu", "from": now.isoformat(),
                                                 "to": (now - timedelta(days=1)).isoformat()})
        resp = await c.post("/substitutes", json={"delegate": "btc.tranthithu",
                                                  "from": (now - timedelta(hours=1)).isoformat(),
                                                  "to": (now + timedelta(days=7)).isoformat()})
    assert bad.status_code == 422
    assert resp.status_code == 201 and resp.json()["rerouted_tasks"] == 1, resp.text
    new = await portal.ask(key="b", assignee="btc.nguyenvanhai")
    async with portal.client("btc.tranthithu") as c:
        items = {t["id"]: t for t in (await c.get("/tasks")).json()["items"]}
    assert set(items) == {held, new}
    assert all(t["on_behalf_of"] == "btc.nguyenvanhai" and t["assigned_via"] == "substitute" for t in items.values())
    async with portal.client("btc.tranthithu") as c:
        assert (await c.post(f"/tasks/{new}/complete", json={"action": "approve"})).status_code == 200
    assert portal.sender.sent[-1][2].on_behalf_of == "btc.nguyenvanhai"
    async with portal.client("tc.dongxoai") as c:
        other = await c.post("/substitutes", json={"user_id": "tc.binhlong", "delegate": "tc.dongxoai",
                                                   "from": now.isoformat(), "to": (now + timedelta(1)).isoformat()})
    assert other.status_code == 403, "only the board registers a substitute for someone else"


async def test_ending_a_period_early_brings_the_undecided_tasks_back(portal: Portal) -> None:
    kept = await portal.ask(key="a", assignee="btc.nguyenvanhai")
    decided = await portal.ask(key="b", assignee="btc.nguyenvanhai")
    now = datetime.now(UTC)
    async with portal.client("btc.nguyenvanhai") as c:
        made = (await c.post("/substitutes", json={"delegate": "btc.tranthithu", "reason": "Đi công tác",
                                                   "from": (now - timedelta(hours=1)).isoformat(),
                                                   "to": (now + timedelta(days=7)).isoformat()})).json()
        mine = (await c.get("/substitutes")).json()
    assert [(s["id"], s["delegate"], s["reason"]) for s in mine] == [(made["id"], "btc.tranthithu", "Đi công tác")]
    async with portal.client("btc.tranthithu") as c:
        assert (await c.post(f"/tasks/{decided}/complete", json={"action": "approve"})).status_code == 200
        assert (await c.get("/substitutes")).json() == [], "a period is listed to its own person only"
    async with portal.client("tc.dongxoai") as c:
        foreign = await c.post(f"/substitutes/{made['id']}/end")
    assert foreign.status_code == 403, "ending another's period is an assignment (the Board's)"
    async with portal.client("btc.nguyenvanhai") as c:
        ended = await c.post(f"/substitutes/{made['id']}/end")
        again = await c.post(f"/substitutes/{made['id']}/end")
        assert (await c.get("/substitutes")).json() == []
        back = {t["id"]: t for t in (await c.get("/tasks")).json()["items"]}
    assert ended.status_code == 200 and ended.json()["returned_tasks"] == 1, ended.text
    assert again.status_code == 409
    assert back[kept]["assignee"] == "btc.nguyenvanhai" and back[kept]["on_behalf_of"] is None
    assert decided not in back  # the stand-in's decision stands
    assert [e["returned_tasks"] for e in await _events(portal, "SubstituteEnded")] == [1]
    new = await portal.ask(key="c", assignee="btc.nguyenvanhai")
    async with portal.client("btc.nguyenvanhai") as c:
        assert new in {t["id"] for t in (await c.get("/tasks")).json()["items"]}, "new tasks stay after the end"


async def test_bulk_complete_one_kind_with_a_result_per_task(portal: Portal) -> None:
    a = await portal.ask(key="a")
    b = await portal.ask(key="b", excluded_users=["btc.nguyenvanhai"])
    c_ = await portal.ask(key="c", kind="class_below_target")
    async with portal.client("btc.nguyenvanhai") as c:
        resp = await c.post("/tasks/bulk-complete", json={"task_ids": [a, b, c_, "nope"], "action": "approve",
                                                          "comment": "Đồng ý"})
        empty = await c.post("/tasks/bulk-complete", json={"task_ids": [], "action": "approve"})
    assert resp.status_code == 200, resp.text
    results = {r["task_id"]: r for r in resp.json()["results"]}
    assert results[a]["status"] == "accepted"
    assert results[b]["status"] == "refused" and results[b]["http_status"] == 403 and results[b]["reason_vi"]
    assert results[c_]["status"] == "refused" and results[c_]["code"] == "validation_failed"
    assert results["nope"]["http_status"] == 404
    assert resp.json()["accepted"] == 1 and resp.json()["refused"] == 3
    assert empty.status_code == 422


async def test_viewing_a_task_is_recorded_and_shows_dossier_and_actions(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK],
                            dossier={"Bài thi": "Mã phách 0417"})
    async with portal.client("gk.hoangminhduc") as c:
        body = (await c.get(f"/tasks/{task}")).json()
    async with portal.client("btc.nguyenvanhai") as c:
        oversight = (await c.get(f"/tasks/{task}")).json()
    assert body["dossier"] == {"Bài thi": "Mã phách 0417"} and body["refusal"] is None
    assert body["allowed_actions"][0]["inputs"][0]["name"] == "mark"
    assert oversight["allowed_actions"] == [] and oversight["refusal"]["vi"]
    async with portal.ctx.sessions() as s:
        viewers = (await s.execute(select(TaskView.user_id).where(TaskView.task_id == task))).scalars().all()
    assert sorted(viewers) == ["btc.nguyenvanhai", "gk.hoangminhduc"]


async def test_inbox_filters_sorts_pages_and_counts(portal: Portal) -> None:
    ids = [await portal.ask(key=f"r{i}", due_in_seconds=3600 * (10 - i), priority=1 + i % 3, campaign="NGUON-2026")
           for i in range(7)]
    klass = await portal.ask(key="k", kind="class_below_target", due_in_seconds=60)
    async with portal.client("btc.nguyenvanhai") as c:
        page = (await c.get("/tasks", params={"limit": 3, "offset": 0, "kind": "registration_review"})).json()
        page2 = (await c.get("/tasks", params={"limit": 3, "offset": 3, "kind": "registration_review"})).json()
        allk = (await c.get("/tasks")).json()
        by_prio = (await c.get("/tasks", params={"sort": "priority"})).json()
        soon = (await c.get("/tasks", params={"due_before": (datetime.now(UTC) + timedelta(hours=4.5)).isoformat()}))
        camp = (await c.get("/tasks", params={"campaign": "NGUON-2026"})).json()
        bad = await c.get("/tasks", params={"limit": 0})
    assert page["total"] == 7 and [t["id"] for t in page["items"]] == ids[::-1][:3]
    assert [t["id"] for t in page2["items"]] == ids[::-1][3:6]
    assert allk["counts_by_kind"] == {"registration_review": 7, "class_below_target": 1} and allk["total"] == 8
    assert allk["items"][0]["id"] == klass
    assert [t["priority"] for t in by_prio["items"]] == sorted(t["priority"] for t in by_prio["items"])
    assert {t["id"] for t in soon.json()["items"]} == {klass, ids[-1]}
    assert camp["total"] == 7
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"


async def test_gauges_count_open_tasks_by_kind_and_group_without_person_ids(portal: Portal) -> None:
    await portal.ask(key="a")
    t = await portal.ask(key="b", kind="essay_marking", candidate_roles=["examiner"], actions=[MARK])
    await portal.acts.task_overdue(TaskOverdueInput(t, "reminded"))
    counted = await refresh(portal.ctx)
    assert counted == {("registration_review", "organization_board"): (1, 0), ("essay_marking", "examiner"): (1, 1)}
    async with portal.client() as c:
        metrics = (await c.get("/metrics")).text
    assert 'cadre_tasks_open{group="examiner",kind="essay_marking"} 1.0' in metrics
    assert "gk." not in metrics and "btc." not in metrics
    async with portal.ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Task))).scalar_one() == 2


async def test_the_board_stopping_a_stalled_process_is_audited_and_announced(portal: Portal) -> None:
    """Closing a process_stalled task with «stop» writes the audit record of the decision and CadreProcessStopped in
    the same transaction; «retry» announces nothing more than the task's completion."""
    stop, retry = [await portal.ask(key=f"stalled:run-1:{n}", kind="process_stalled", actions=stall_actions(),
                                    subject="workflow:wf-1") for n in (1, 2)]
    for task, action, comment in ((retry, "retry", ""), (stop, "stop", "Xử lý thủ công")):
        await portal.acts.close_task(CloseTaskInput(task, TaskDecision(
            task_key="k", task_id=task, action=action, inputs={}, comment=comment, actor_id="btc.nguyenvanhai",
            actor_role="organization_board")))
    assert await _events(portal, "CadreProcessStopped") == [{
        "workflow_id": "wf-1", "workflow_type": "Probe", "task_id": stop,
        "activity": "registration.apply_review_decision", "actor": "btc.nguyenvanhai", "on_behalf_of": None}]
    async with portal.ctx.sessions() as s:
        rows = (await s.execute(text("SELECT action, body FROM audit_log WHERE subject=:s"),
                                {"s": f"task:{stop}"})).all()
    assert [r[0] for r in rows] == ["task.decide"]
    body = json.loads(rows[0][1])
    assert body["inputs"]["action"] == "stop" and body["inputs"]["task_kind"] == "process_stalled"
    assert "Dừng quy trình" in body["reason"]["vi"] and "Xử lý thủ công" in body["reason"]["vi"]
