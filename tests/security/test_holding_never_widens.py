"""Issue #16, item 2: holding a task never widens who may decide. Each test repeats an attack through the portal's
API and asserts the refusal (4xx problem+json in Vietnamese and English)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.human_tasks import TaskAction, TaskInputField
from tests.unit.portal.support import APPROVE, MARK, Portal, make_portal

VOTE = TaskAction("vote", "Biểu quyết", "Vote", "vote", inputs=[
    TaskInputField("choice", "Lựa chọn", "Choice", kind="choice", choices=["approve", "reject"])])


@pytest.fixture
async def portal(tmp_path: Path) -> Portal:
    return await make_portal(tmp_path)


def _problem(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = resp.json()
    assert doc["code"] == code, doc
    assert doc["detail"] and doc["detail_vi"] and doc["detail"] != doc["detail_vi"]
    return doc


async def _vote_of(portal: Portal, member: str) -> str:
    return await portal.ask(key=f"vote:G1:{member}", kind="committee_vote", candidate_roles=["committee_member"],
                            subject="campaign:C1:group:G1", assignee=member, actions=[VOTE])


async def test_a_committee_member_cannot_delegate_her_vote_to_a_colleague(portal: Portal) -> None:
    hers = await _vote_of(portal, "tv.buithimai")
    async with portal.client("tv.buithimai") as c:
        resp = await c.post(f"/tasks/{hers}/delegate", json={"to": "tv.dangvanlong", "reason": "Đi công tác"})
    _problem(resp, 403, "personal_decision")
    async with portal.client("tv.dangvanlong") as c:
        cast = await c.post(f"/tasks/{hers}/complete", json={"action": "vote", "inputs": {"choice": "approve"}})
    _problem(cast, 403, "forbidden")
    assert portal.sender.sent == [], "no second vote reached the workflow"


async def test_the_board_cannot_assign_a_committee_vote_to_a_unit_officer(portal: Portal) -> None:
    vote = await _vote_of(portal, "tv.dangvanlong")
    async with portal.client("btc.nguyenvanhai") as c:
        _problem(await c.post(f"/tasks/{vote}/assign", json={"user_id": "tc.dongxoai"}), 403, "personal_decision")
        # nor to another member: the vote is his own
        _problem(await c.post(f"/tasks/{vote}/assign", json={"user_id": "tv.buithimai"}), 403, "personal_decision")
    async with portal.client("tc.dongxoai") as c:
        cast = await c.post(f"/tasks/{vote}/complete", json={"action": "vote", "inputs": {"choice": "approve"}})
    _problem(cast, 403, "forbidden")


async def test_an_examiners_mark_cannot_be_delegated(portal: Portal) -> None:
    mark = await portal.ask(key="essay:AB12:round1", kind="essay_mark", candidate_roles=["examiner"],
                            subject="paper:AB12", assignee="gk.hoangminhduc", actions=[MARK])
    async with portal.client("gk.hoangminhduc") as c:
        resp = await c.post(f"/tasks/{mark}/delegate", json={"to": "gk.vuthilan", "reason": "Ốm đột xuất"})
    _problem(resp, 403, "personal_decision")


async def test_assignment_only_to_someone_who_could_decide_the_task(portal: Portal) -> None:
    review = await portal.ask(key="review", unit_scope="DONGXOAI", actions=[APPROVE])
    async with portal.client("btc.nguyenvanhai") as c:
        doc = _problem(await c.post(f"/tasks/{review}/assign", json={"user_id": "tc.dongxoai"}), 422,
                       "holder_cannot_decide")
        assert "tc.dongxoai" in doc["detail"]
        _problem(await c.post(f"/tasks/{review}/assign", json={"user_id": "mallory"}), 422, "unknown_person")
        assert (await c.post(f"/tasks/{review}/assign", json={"user_id": "btc.tranthithu"})).status_code == 200


async def test_delegation_only_to_someone_who_could_decide_the_task(portal: Portal) -> None:
    review = await portal.ask(key="review", unit_scope="DONGXOAI", excluded_users=["btc.tranthithu"],
                              actions=[APPROVE])
    async with portal.client("btc.nguyenvanhai") as c:
        assert (await c.post(f"/tasks/{review}/claim")).status_code == 200
        # a unit officer has neither the role nor (for another unit) the scope
        _problem(await c.post(f"/tasks/{review}/delegate", json={"to": "tc.binhlong", "reason": "Bận họp"}), 422,
                 "holder_cannot_decide")
        # a colleague excluded by four-eyes may not receive it either
        _problem(await c.post(f"/tasks/{review}/delegate", json={"to": "btc.tranthithu", "reason": "Bận họp"}),
                 422, "holder_cannot_decide")


async def test_a_substitute_takes_over_only_what_they_could_decide(portal: Portal) -> None:
    vote = await _vote_of(portal, "tv.dangvanlong")
    review = await portal.ask(key="review", assignee="tv.dangvanlong", candidate_roles=["committee_member"],
                              kind="committee_review", actions=[APPROVE])
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(days=3)).isoformat()}
    async with portal.client("tv.dangvanlong") as c:
        _problem(await c.post("/substitutes", json={"delegate": "mallory", **period}), 422, "unknown_person")
        officer = await c.post("/substitutes", json={"delegate": "tc.dongxoai", **period})
    assert officer.status_code == 201 and officer.json()["rerouted_tasks"] == 0, officer.text
    async with portal.client("tv.dangvanlong") as c:
        colleague = await c.post("/substitutes", json={"delegate": "tv.buithimai", **period})
    assert colleague.json()["rerouted_tasks"] == 1, "the review moves; his vote stays his"
    new_vote = await portal.ask(key="vote:G2:tv.dangvanlong", kind="committee_vote",
                                candidate_roles=["committee_member"], subject="campaign:C1:group:G2",
                                assignee="tv.dangvanlong", actions=[VOTE])  # filed while he is away
    async with portal.client("tv.buithimai") as c:
        held = {t["id"] for t in (await c.get("/tasks")).json()["items"]}
        cast = await c.post(f"/tasks/{vote}/complete", json={"action": "vote", "inputs": {"choice": "approve"}})
    assert review in held and vote not in held and new_vote not in held
    _problem(cast, 403, "forbidden")


async def test_the_holder_is_checked_as_a_claimant_is(portal: Portal) -> None:
    """A task a workflow filed for someone outside its roles or scope: holding it is not enough to decide it."""
    outside_role = await portal.ask(key="a", assignee="tc.dongxoai", candidate_roles=["organization_board"],
                                    actions=[APPROVE])
    outside_scope = await portal.ask(key="b", assignee="tc.binhlong", candidate_roles=["unit_officer"],
                                     unit_scope="DONGXOAI", actions=[APPROVE])
    async with portal.client("tc.dongxoai") as c:
        _problem(await c.post(f"/tasks/{outside_role}/complete", json={"action": "approve"}), 403, "forbidden")
    async with portal.client("tc.binhlong") as c:
        _problem(await c.post(f"/tasks/{outside_scope}/complete", json={"action": "approve"}), 403, "forbidden")
    assert portal.sender.sent == []
