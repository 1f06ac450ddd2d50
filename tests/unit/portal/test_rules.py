"""Every rule of who may act on a task (shared.authz.authorize_task), through the portal's API: allowed and refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.portal.support import MARK, Portal, make_portal
from workflows.human_task import CloseTaskInput


@pytest.fixture
async def portal(tmp_path: Path) -> Portal:
    return await make_portal(tmp_path)


async def _listed(portal: Portal, user: str, **claims: object) -> set[str]:
    async with portal.client(user, **claims) as c:
        resp = await c.get("/tasks")
    assert resp.status_code == 200, resp.text
    return {t["id"] for t in resp.json()["items"]}


async def _complete(portal: Portal, user: str, task_id: str, action: str = "approve", **body: object):  # type: ignore[no-untyped-def]
    async with portal.client(user) as c:
        return await c.post(f"/tasks/{task_id}/complete", json={"action": action, "comment": "Đồng ý", **body})


def _refused_in_both_languages(resp, status: int = 403) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    doc = resp.json()
    assert doc["detail"] and doc["detail_vi"] and doc["detail"] != doc["detail_vi"]


async def test_role_candidate_group_allows_and_refuses(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK])
    assert task in await _listed(portal, "gk.hoangminhduc")
    assert task not in await _listed(portal, "tv.dangvanlong"), "a committee member never sees an examiner's task"
    resp = await _complete(portal, "tv.dangvanlong", task, "mark", inputs={"mark": 70})
    _refused_in_both_languages(resp)
    assert "nhóm" in resp.json()["detail_vi"]
    resp = await _complete(portal, "gk.hoangminhduc", task, "mark", inputs={"mark": 70})
    assert resp.status_code == 200 and resp.json()["status"] == "accepted", resp.text
    assert portal.sender.sent[0][2].actor_role == "examiner"


async def test_unit_scope_must_cover_the_task(portal: Portal) -> None:
    task = await portal.ask(candidate_roles=["unit_officer"], unit_scope="BINHLONG")
    assert task not in await _listed(portal, "tc.dongxoai")
    _refused_in_both_languages(await _complete(portal, "tc.dongxoai", task))
    assert task in await _listed(portal, "tc.binhlong")
    assert (await _complete(portal, "tc.binhlong", task)).status_code == 200


async def test_four_eyes_excluded_user_cannot_decide(portal: Portal) -> None:
    task = await portal.ask(excluded_users=["btc.nguyenvanhai"])  # the proposer
    assert task not in await _listed(portal, "btc.nguyenvanhai")
    resp = await _complete(portal, "btc.nguyenvanhai", task)
    _refused_in_both_languages(resp)
    assert "bốn mắt" in resp.json()["detail_vi"] and "Four-eyes" in resp.json()["detail"]
    async with portal.client("btc.nguyenvanhai") as c:
        _refused_in_both_languages(await c.post(f"/tasks/{task}/claim"))
    assert (await _complete(portal, "btc.tranthithu", task)).status_code == 200


async def test_nobody_decides_on_themselves(portal: Portal) -> None:
    task = await portal.ask(kind="nomination_confirmation", subject="user:btc.tranthithu")
    other = await portal.ask(key="k2", subject="official:O1", dossier={"subject_user_id": "btc.nguyenvanhai"})
    assert task not in await _listed(portal, "btc.tranthithu")
    resp = await _complete(portal, "btc.tranthithu", task)
    _refused_in_both_languages(resp)
    assert "chính mình" in resp.json()["detail_vi"]
    _refused_in_both_languages(await _complete(portal, "btc.nguyenvanhai", other))
    assert (await _complete(portal, "btc.nguyenvanhai", task)).status_code == 200


async def test_conflict_of_interest_examiner_never_gets_own_unit(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], excluded_units=["DONGXOAI"],
                            actions=[MARK], dossier={"Bài thi": "Mã phách 0417"})
    assert task not in await _listed(portal, "gk.trannhuquynh"), "not even listed for an examiner of that unit"
    async with portal.client("gk.trannhuquynh") as c:
        seen = await c.get(f"/tasks/{task}")
        claimed = await c.post(f"/tasks/{task}/claim")
    _refused_in_both_languages(seen)
    _refused_in_both_languages(claimed)
    resp = await _complete(portal, "gk.trannhuquynh", task, "mark", inputs={"mark": 80})
    _refused_in_both_languages(resp)
    assert "Xung đột lợi ích" in resp.json()["detail_vi"]
    assert task in await _listed(portal, "gk.hoangminhduc")
    assert (await _complete(portal, "gk.hoangminhduc", task, "mark", inputs={"mark": 80})).status_code == 200


async def test_only_the_claimant_completes_a_claimed_task(portal: Portal) -> None:
    task = await portal.ask()
    async with portal.client("btc.nguyenvanhai") as c:
        resp = await c.post(f"/tasks/{task}/claim")
    assert resp.status_code == 200 and resp.json()["assignee"] == "btc.nguyenvanhai"
    assert task not in await _listed(portal, "btc.tranthithu"), "a claimed task leaves the others' inboxes"
    resp = await _complete(portal, "btc.tranthithu", task)
    _refused_in_both_languages(resp)
    assert "btc.nguyenvanhai" in resp.json()["detail"]
    async with portal.client("btc.tranthithu") as c:
        assert (await c.post(f"/tasks/{task}/release")).status_code == 200, "the board may release (oversight)"
    async with portal.client("btc.nguyenvanhai") as c:
        assert (await c.post(f"/tasks/{task}/claim")).status_code == 200
    assert (await _complete(portal, "btc.nguyenvanhai", task)).status_code == 200


async def test_delegated_task_is_completed_on_behalf_of_the_delegator(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK])
    async with portal.client("gk.hoangminhduc") as c:
        await c.post(f"/tasks/{task}/claim")
        short = await c.post(f"/tasks/{task}/delegate", json={"to": "gk.vuthilan", "reason": ""})
        resp = await c.post(f"/tasks/{task}/delegate", json={"to": "gk.vuthilan", "reason": "Đi công tác"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "reason"
    assert resp.status_code == 200, resp.text
    assert resp.json()["assignee"] == "gk.vuthilan" and resp.json()["on_behalf_of"] == "gk.hoangminhduc"
    _refused_in_both_languages(await _complete(portal, "gk.hoangminhduc", task, "mark", inputs={"mark": 60}))
    assert (await _complete(portal, "gk.vuthilan", task, "mark", inputs={"mark": 60})).status_code == 200
    decision = portal.sender.sent[-1][2]
    assert (decision.actor_id, decision.on_behalf_of) == ("gk.vuthilan", "gk.hoangminhduc")


async def test_delegation_does_not_break_four_eyes(portal: Portal) -> None:
    task = await portal.ask(excluded_users=["btc.tranthithu"])
    async with portal.client("btc.nguyenvanhai") as c:
        await c.post(f"/tasks/{task}/delegate", json={"to": "btc.tranthithu", "reason": "Nghỉ phép"})
    _refused_in_both_languages(await _complete(portal, "btc.tranthithu", task))


async def test_only_the_board_assigns(portal: Portal) -> None:
    task = await portal.ask(kind="essay_marking", candidate_roles=["examiner"], actions=[MARK])
    async with portal.client("gk.hoangminhduc") as c:
        _refused_in_both_languages(await c.post(f"/tasks/{task}/assign", json={"user_id": "gk.vuthilan"}))
    async with portal.client("btc.nguyenvanhai") as c:
        resp = await c.post(f"/tasks/{task}/assign", json={"user_id": "gk.vuthilan"})
    assert resp.status_code == 200 and resp.json()["assignee"] == "gk.vuthilan"
    assert task not in await _listed(portal, "gk.hoangminhduc")
    assert task in await _listed(portal, "gk.vuthilan")


async def test_callers_without_the_inbox_permission_are_refused(portal: Portal) -> None:
    async with portal.client() as c:
        resp = await c.get("/tasks")
    assert resp.status_code == 401
    async with portal.client("kt.lyvannam") as c:
        _refused_in_both_languages(await c.get("/tasks"))


async def test_workflow_refusal_is_409_with_reason_and_task_reopens(portal: Portal) -> None:
    task = await portal.ask()
    portal.sender.refuse_with = "task_not_open: the task is already decided / công việc đã được xử lý"
    resp = await _complete(portal, "btc.nguyenvanhai", task)
    _refused_in_both_languages(resp, 409)
    assert resp.json()["code"] == "task_not_open"
    assert resp.json()["detail_vi"] == "công việc đã được xử lý"
    portal.sender.refuse_with = None
    assert (await _complete(portal, "btc.nguyenvanhai", task)).status_code == 200


async def test_the_same_decision_sent_again_stands_and_is_not_sent_twice(portal: Portal) -> None:
    """A retry after a lost answer (the portal or the connection died after the Update): the same person, action
    and comment on the closed task answer "accepted" again; another action, or another comment, is refused."""
    task = await portal.ask()
    assert (await _complete(portal, "btc.nguyenvanhai", task)).json()["status"] == "accepted"
    await portal.acts.close_task(CloseTaskInput(task_id=task, decision=portal.sender.sent[0][2]))  # the workflow
    again = await _complete(portal, "btc.nguyenvanhai", task)
    assert again.status_code == 200 and again.json()["status"] == "accepted", again.text
    assert len(portal.sender.sent) == 1, "nothing is sent to the workflow again"
    other = await _complete(portal, "btc.nguyenvanhai", task, action="refuse")
    assert other.status_code == 409 and other.json()["code"] == "task_not_open"
    other_comment = await _complete(portal, "btc.nguyenvanhai", task, comment="Lần nữa")
    assert other_comment.status_code == 409 and other_comment.json()["code"] == "task_not_open"


async def test_second_completion_is_refused(portal: Portal) -> None:
    task = await portal.ask()
    assert (await _complete(portal, "btc.nguyenvanhai", task)).json() == {
        "task_id": task, "status": "accepted", "code": None, "reason_en": None, "reason_vi": None,
        "http_status": 200}
    again = await _complete(portal, "btc.tranthithu", task)
    _refused_in_both_languages(again, 409)
    assert again.json()["code"] == "task_not_open"
    assert len(portal.sender.sent) == 1


async def test_unknown_action_and_stale_dossier_are_refused_naming_the_field(portal: Portal) -> None:
    task = await portal.ask()
    resp = await _complete(portal, "btc.nguyenvanhai", task, "publish")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "action"
    resp = await _complete(portal, "btc.nguyenvanhai", task, dossier_digest="0" * 64)
    assert resp.status_code == 409 and resp.json()["code"] == "stale_dossier"
    assert not portal.sender.sent
