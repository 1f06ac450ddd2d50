"""Deadlines fire and escalate: conferences close on their durable timers even with no ballot; an unanswered
confirmation is reminded at the step's deadline and escalated after the grace; nothing blocks silently."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.unit.selection.support import Harness, campaign_payload, harness, official, unique_number


async def test_conferences_close_and_an_unanswered_confirmation_escalates(tmp_path: Path) -> None:
    async with harness(tmp_path, {"off-late": official("off-late", "Nguyễn Văn Muộn", "DONGXOAI")}) as h:
        now = datetime.now(UTC)
        created = await h.http.post("/campaigns", headers=h.board, json=campaign_payload(unique_number(), now))
        assert created.status_code == 201, created.text
        campaign_id, workflow_id = created.json()["id"], created.json()["workflow_id"]

        await h.env.sleep(timedelta(days=21))
        await _wait_status(h, campaign_id, {"HN-DX": "closed", "HN-BL": "open"})
        await h.env.sleep(timedelta(days=5))
        task = (await h.portal.wait_for("nomination_confirmation", 1))[0]
        await _wait_status(h, campaign_id, {"HN-DX": "closed", "HN-BL": "closed"})
        assert task.request.dossier["proposed"] == []
        assert not h.portal.overdue

        await h.env.sleep(timedelta(days=10))  # past the step's deadline (35 days after the start)
        await _wait_overdue(h, 1)
        assert h.portal.overdue[0].stage == "reminded"
        await h.env.sleep(timedelta(days=3))  # past the grace: escalated to the Organization Board
        await _wait_overdue(h, 2)
        assert h.portal.overdue[1].stage == "escalated"
        assert h.portal.overdue[1].escalation_roles == ["organization_board"]
        status = await h.env.client.get_workflow_handle(workflow_id).query("status")
        assert status["step"] == "nomination" and status["open_tasks"] == ["nomination_confirmation"]

        await h.portal.complete(task, actor="btc.tranthithu", role="organization_board", action="confirm")
        await h.portal.wait_for("screening_confirmation", 1)
        step = (await h.http.get(f"/campaigns/{campaign_id}", headers=h.board)).json()["step"]
        assert step == "screening"
        late = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=h.board, json={
            "official_id": "off-late", "full_name": "Nguyễn Văn Muộn", "unit_code": "DONGXOAI",
            "group_code": "G1", "evaluation": "Hoàn thành tốt nhiệm vụ"})
        assert late.status_code == 409 and late.json()["code"] == "nominations_closed"


async def _wait_status(h: Harness, campaign_id: str, expected: dict[str, str]) -> None:
    confs: list[dict[str, str]] = []
    for _ in range(200):
        confs = (await h.http.get(f"/campaigns/{campaign_id}/conferences", headers=h.board)).json()
        if {c["code"]: c["status"] for c in confs} == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"conferences never reached {expected}: {confs}")


async def _wait_overdue(h: Harness, count: int) -> None:
    for _ in range(200):
        if len(h.portal.overdue) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} overdue notices, got {h.portal.overdue}")
