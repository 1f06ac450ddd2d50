"""Equal on total, specialised and essay scores across the last seat: the council chair orders them (Decree
170/2025 art. 10), and only the candidate placed first goes to the Standing Committee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.unit.selection.support import campaign_payload, harness, official, unique_number

RECORDS = {"off-1": official("off-1", "Nguyễn Văn An", "DONGXOAI"),
           "off-2": official("off-2", "Trần Văn Bảo", "DONGXOAI")}


async def test_a_tie_at_the_last_seat_goes_to_the_council_chair(tmp_path: Path) -> None:
    async with harness(tmp_path, RECORDS) as h:
        now = datetime.now(UTC)
        body = campaign_payload(unique_number(), now, seats=(1, 1), conferences=[
            {"code": "HN-DX", "unit_code": "DONGXOAI", "roster": ["a", "b", "c"], "max_names": 2,
             "close_at": (now + timedelta(days=10)).isoformat()}])
        cid = (await h.http.post("/campaigns", headers=h.board, json=body)).json()["id"]
        ids = {}
        for oid, rec in RECORDS.items():
            resp = await h.http.post(f"/campaigns/{cid}/nominations", headers=h.board, json={
                "official_id": oid, "full_name": rec["full_name"], "unit_code": "DONGXOAI", "group_code": "G1",
                "evaluation": "Hoàn thành tốt nhiệm vụ"})
            ids[oid] = resp.json()["id"]
        tokens = (await h.http.post(f"/campaigns/{cid}/conferences/HN-DX/tokens", headers=h.board)).json()["tokens"]
        for token in tokens:
            await h.http.post("/ballots", json={"token": token, "nominees": list(ids.values())})
        await h.env.sleep(timedelta(days=11))
        for kind in ("nomination_confirmation", "screening_confirmation"):
            task = (await h.portal.wait_for(kind, 1))[0]
            await h.portal.complete(task, actor="btc.tranthithu", role="organization_board", action="confirm")
        for kind, count, mark in (("essay_mark", 4, 70), ("interview_score", 4, 80)):
            for t in await h.portal.wait_for(kind, count):
                await h.portal.complete(t, actor=str(t.request.assignee), role="examiner", action="mark",
                                        inputs={"mark": mark})
        tie = (await h.portal.wait_for("tie_break", 1))[0]
        assert tie.request.candidate_roles == ["council_chair"]
        assert sorted(tie.request.dossier["candidate_ids"]) == sorted(ids.values())
        assert tie.request.dossier["open_seats"] == 1
        # the chair sees who is tied, by name, with the scores the order is decided on
        tied = {c["candidate_id"]: c for c in tie.request.dossier["candidates"]}
        assert set(tied) == set(ids.values()) and all(c["full_name"] for c in tied.values())
        assert len({c["total"] for c in tied.values()}) == 1 and all(c["essay"] and c["specialised"]
                                                                    for c in tied.values())
        closed = (await h.http.get(f"/campaigns/{cid}/exam-results", headers=h.board)).json()
        assert closed["marking_closed"] is False  # identities stay apart until the order is decided
        await h.portal.complete(tie, actor="chair.council", role="council_chair", action="order",
                                inputs={"order": f"{ids['off-2']},{ids['off-1']}"})
        votes = await h.portal.wait_for("committee_vote", 5)
        assert all(t.request.dossier["seats"] == 1 for t in votes)  # the seats the vote fills
        assert {c["candidate_id"] for t in votes for c in t.request.dossier["candidates"]} == {ids["off-2"]}
        for t in votes:
            await h.portal.complete(t, actor=str(t.request.assignee), role="committee_member", action="vote",
                                    inputs={ids["off-2"]: "approve"})
        chair = (await h.portal.wait_for("committee_decision", 1))[0]
        await h.portal.complete(chair, actor="bt.chair", role="committee_chair", action="decide",
                                inputs={"decision_number": "140-QĐ/TU"})
        status = await h.env.client.get_workflow_handle(chair.workflow_id.rsplit("-committee-", 1)[0]).result()
        assert status["step"] == "decided"
        results = (await h.http.get(f"/campaigns/{cid}/exam-results", headers=h.board)).json()["results"]
        assert [(r["full_name"], r["rank"]) for r in results] == [("Trần Văn Bảo", 1), ("Nguyễn Văn An", 2)]
        decision = (await h.http.get(f"/campaigns/{cid}/decision", headers=h.board)).json()
        assert [s["official_id"] for s in decision["groups"][0]["selected"]] == ["off-2"]
