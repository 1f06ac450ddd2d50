"""A whole campaign, months of deadlines, on the time-skipping server, through selection's public API.

Simulated voters cast secret ballots with their tokens; the Organization Board, examiners, the head of marking,
the council chair and the Standing Committee's members act through the `complete_task` Update, as the portal
would after authorising them. Officials' records come from a fake directory (registration's side is tested in
the integration test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from contracts.selection import ComponentResult
from services.selection.models import Candidate
from services.selection.service import exam
from shared.marking import MarkingBands
from shared.uow import unit_of_work
from tests.unit.selection.support import Harness, campaign_payload, harness, official, unique_number

RECORDS = {
    "off-dx1": official("off-dx1", "Nguyễn Văn An", "DONGXOAI"),
    "off-dx2": official("off-dx2", "Trần Thị Bình", "DONGXOAI", gender="female"),
    "off-dx3": official("off-dx3", "Lê Văn Cường", "DONGXOAI"),
    "off-dx4": official("off-dx4", "Phạm Văn Dũng", "DONGXOAI", born=1966),
    "off-bl1": official("off-bl1", "Đỗ Văn Giang", "BINHLONG"),
    "off-bl2": {**official("off-bl2", "Vũ Thị Hà", "BINHLONG", gender="female"), "in_planning": False},
}
NOMINEES = [("off-dx1", "G1"), ("off-dx2", "G1"), ("off-dx3", "G2"), ("off-dx4", "G1"), ("off-bl1", "G2"),
            ("off-bl2", "G2")]
# essay marks (two examiners), interview marks (each panel member): totals 77.0, 68.4, 49.0, 78.0
MARKS = {"off-dx1": ((80, 82), 71), "off-dx2": ((60, 67), 75), "off-bl1": ((50, 62), 40),
         "off-bl2": ((70, 70), 90)}
DISCREPANCY = {"off-dx2": ("marking_head", 64), "off-bl1": ("council_chair", 55)}


async def _nominate(h: Harness, campaign_id: str) -> dict[str, str]:
    ids = {}
    for oid, group in NOMINEES:
        rec = RECORDS[oid]
        unit = str(rec["unit_code"])
        officer = h.token(f"tc.{unit.lower()}", ["unit_officer"], [unit])
        resp = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=officer, json={
            "official_id": oid, "full_name": rec["full_name"], "unit_code": unit, "group_code": group,
            "evaluation": "Hoàn thành tốt nhiệm vụ, có uy tín trong đơn vị"})
        assert resp.status_code == 201, resp.text
        ids[oid] = resp.json()["id"]
    other = h.token("tc.dongxoai", ["unit_officer"], ["DONGXOAI"])
    refused = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=other, json={
        "official_id": "off-x", "full_name": "Ngô Văn X", "unit_code": "BINHLONG", "group_code": "G1",
        "evaluation": "Tốt"})
    assert refused.status_code == 403
    # what screening would meet later is refused where it enters (issue #19): an official registration does not
    # know, one of another unit than the proposing one; nothing is recorded
    unknown = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=h.board, json={
        "official_id": "off-ghost", "full_name": "Ngô Văn Ma", "unit_code": "DONGXOAI", "group_code": "G1",
        "evaluation": "Tốt"})
    assert unknown.status_code == 422, unknown.text
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("official_id", "unknown_official")]
    foreign = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=h.board, json={
        "official_id": "off-bl1", "full_name": "Đỗ Văn Giang", "unit_code": "DONGXOAI", "group_code": "G1",
        "evaluation": "Tốt"})
    assert foreign.status_code == 403 and foreign.json()["code"] == "nominee_of_other_unit", foreign.text
    with_id = await h.http.post(f"/campaigns/{campaign_id}/nominations", headers=h.board, json={
        "official_id": "off-dx1", "full_name": "Cán bộ", "unit_code": "DONGXOAI", "group_code": "G1",
        "evaluation": "CCCD 079123456789, hoàn thành tốt nhiệm vụ"})
    assert with_id.status_code == 422, with_id.text
    assert [(e["field"], e["code"]) for e in with_id.json()["errors"]] == [("evaluation", "personal_id_in_text")]
    listed = (await h.http.get(f"/campaigns/{campaign_id}/candidates", headers=h.board)).json()
    assert sorted(c["official_id"] for c in listed) == sorted(oid for oid, _ in NOMINEES)
    h.directory.reads.clear()  # from here on, only screening reads the records
    return ids


async def _vote(h: Harness, campaign_id: str, ids: dict[str, str]) -> None:
    dx = (await h.http.post(f"/campaigns/{campaign_id}/conferences/HN-DX/tokens", headers=h.board)).json()["tokens"]
    bl = (await h.http.post(f"/campaigns/{campaign_id}/conferences/HN-BL/tokens", headers=h.board)).json()["tokens"]
    assert len(dx) == 5 and len(bl) == 4
    again = await h.http.post(f"/campaigns/{campaign_id}/conferences/HN-DX/tokens", headers=h.board)
    assert again.status_code == 409
    d = {k: ids[f"off-{k}"] for k in ("dx1", "dx2", "dx3", "dx4", "bl1", "bl2")}
    dx_ballots = [[d["dx1"], d["dx2"], d["dx4"]], [d["dx1"], d["dx2"], d["dx3"]], [d["dx1"], d["dx3"], d["dx4"]],
                  [d["dx2"], d["dx4"]], []]
    for token, names in zip(dx, dx_ballots, strict=True):
        assert (await h.http.post("/ballots", json={"token": token, "nominees": names})).status_code == 202
    for token, names in zip(bl, [[d["bl1"], d["bl2"]], [d["bl1"]], [d["bl2"]]], strict=False):
        assert (await h.http.post("/ballots", json={"token": token, "nominees": names})).status_code == 202
    twice = await h.http.post("/ballots", json={"token": dx[0], "nominees": [d["dx3"]]})
    assert twice.status_code == 409 and twice.json()["code"] == "ballot_token_used"
    too_many = await h.http.post("/ballots", json={"token": bl[3], "nominees": [d["bl1"], d["bl2"], d["dx1"]]})
    assert too_many.status_code == 422
    forged = await h.http.post("/ballots", json={"token": "x" * 32, "nominees": []})
    assert forged.status_code == 403


async def _code_owner(h: Harness) -> dict[str, str]:
    async with h.ctx.sessions() as s:
        rows = (await s.execute(select(Candidate.exam_code, Candidate.official_id))).all()
    return {str(code): str(oid) for code, oid in rows if code}


async def _mark(h: Harness) -> None:
    owner = await _code_owner(h)
    essays = await h.portal.wait_for("essay_mark", 8)
    interviews = await h.portal.wait_for("interview_score", 10)
    # one marking workflow per paper, its essay and interview tasks together (the server's work is per workflow)
    workflow_of = {t.request.dossier["code"]: t.workflow_id for t in essays}
    assert len(set(workflow_of.values())) == len(workflow_of) == 4
    assert all(t.workflow_id == workflow_of[t.request.dossier["code"]] for t in interviews)
    by_paper: dict[str, list[Any]] = {}
    for t in essays:
        code = t.request.dossier["code"]
        # no identity, no other mark: the code, the component and the marking guide of the policy in force
        assert set(t.request.dossier) == {"code", "component", "paper_ref", "scale", "pass_mark", "weight",
                                          "criteria", "policy_version"}
        guide = t.request.dossier
        assert (guide["scale"], guide["pass_mark"], guide["weight"]) == ("100", "50", "0.6")  # the campaign's weights
        assert len(guide["criteria"]) == 4 and sum(int(c["points"]) for c in guide["criteria"]) == 100
        assert guide["policy_version"].startswith("exam-marking/")
        unit = RECORDS[owner[code]]["unit_code"]
        assert t.request.excluded_units == [unit] and t.request.assignee not in t.request.excluded_users
        by_paper.setdefault(code, []).append(t)
    for code, tasks in by_paper.items():
        assert len({t.request.assignee for t in tasks}) == 2
        if RECORDS[owner[code]]["unit_code"] == "DONGXOAI":
            assert "gk.c" not in {t.request.assignee for t in tasks}  # no examiner marks their own unit
        for t, mark in zip(sorted(tasks, key=lambda t: t.request.task_key), MARKS[owner[code]][0], strict=True):
            await h.portal.complete(t, actor=str(t.request.assignee), role="examiner", action="mark",
                                    inputs={"mark": mark})
    for t in interviews:
        code = t.request.dossier["code"]
        await h.portal.complete(t, actor=str(t.request.assignee), role="examiner", action="mark",
                                inputs={"mark": MARKS[owner[code]][1]})
    for t in await h.portal.wait_for("mark_discrepancy", 2):
        role, score = DISCREPANCY[owner[t.request.dossier["code"]]]
        assert t.request.candidate_roles == [role]
        await h.portal.complete(t, actor=f"user.{role}", role=role, action="decide", inputs={"mark": score},
                                comment="Chấm lại, thống nhất điểm")


async def test_a_whole_campaign_from_creation_to_the_committee_decision(tmp_path: Path) -> None:
    async with harness(tmp_path, RECORDS) as h:
        now = datetime.now(UTC)
        number = unique_number()
        body = campaign_payload(number, now, seats=(1, 2))
        created = await h.http.post("/campaigns", headers=h.board, json=body)
        assert created.status_code == 201, created.text
        campaign_id = created.json()["id"]
        svc = h.token("svc.hrm", ["service"])
        again = await h.http.post("/campaigns", headers=svc, json=body)
        assert again.status_code == 200 and again.json()["id"] == campaign_id
        assert again.json()["workflow_id"] == created.json()["workflow_id"]
        assert again.json()["policy"]["committee_approval"] == "committee/party-statute-2011-art-10"
        listed = (await h.http.get("/campaigns", headers=h.board, params={"number": body["number"]})).json()
        assert [c["id"] for c in listed] == [campaign_id], "a start that repeats lists one campaign"

        ids = await _nominate(h, campaign_id)
        await _vote(h, campaign_id, ids)
        await h.env.sleep(timedelta(days=26))  # both conferences close on their durable timers

        confirm = (await h.portal.wait_for("nomination_confirmation", 1))[0]
        proposed = {n["candidate_id"] for n in confirm.request.dossier["proposed"]}
        assert proposed == {ids[o] for o in ("off-dx1", "off-dx2", "off-dx4", "off-bl1", "off-bl2")}
        confs = (await h.http.get(f"/campaigns/{campaign_id}/conferences", headers=h.board)).json()
        dx_tally = next(c for c in confs if c["code"] == "HN-DX")["tally"]
        assert dx_tally["ballots_returned"] == 5 and dx_tally["base_count"] == 5 and dx_tally["blank"] == 1
        assert next(c for c in confs if c["code"] == "HN-BL")["tally"]["base_count"] == 3  # present
        await h.portal.complete(confirm, actor="btc.tranthithu", role="organization_board", action="confirm")

        screening = (await h.portal.wait_for("screening_confirmation", 1))[0]
        assert {n["candidate_id"] for n in screening.request.dossier["ineligible"]} == {ids["off-dx4"],
                                                                                         ids["off-bl2"]}
        # each candidate with each criterion checked and the reason in both languages, the group by its name
        out = next(n for n in screening.request.dossier["ineligible"] if n["candidate_id"] == ids["off-dx4"])
        assert any(not c["passed"] and "tháng trước tuổi nghỉ hưu" in c["explanation_vi"] for c in out["criteria"])
        assert "tháng trước tuổi nghỉ hưu" in out["detail_vi"] and out["detail"] != out["detail_vi"]
        assert out["group_name"]
        assert all(n["criteria"] and all(c["passed"] for c in n["criteria"])
                   for n in screening.request.dossier["eligible"])
        cands = {c["official_id"]: c for c in
                 (await h.http.get(f"/campaigns/{campaign_id}/candidates", headers=h.board)).json()}
        term = next(c for c in cands["off-dx4"]["screening"]["criteria"] if c["code"] == "months_before_retirement")
        assert not term["passed"] and "tháng trước tuổi nghỉ hưu, cần ít nhất 60" in term["explanation_vi"]
        assert h.directory.reads and set(h.directory.reads) == {o for o, _ in NOMINEES} - {"off-dx3"}
        await h.portal.complete(screening, actor="btc.tranthithu", role="organization_board", action="override",
                                inputs={"candidate_id": ids["off-bl2"], "result": "eligible"},
                                comment="Đã có quyết định quy hoạch số 12-QĐ/TU, hồ sơ chưa cập nhật")
        second = (await h.portal.wait_for("screening_confirmation", 1))[0]
        assert second.request.task_key == "screening_confirmation:2"
        await h.portal.complete(second, actor="btc.nguyenvanhai", role="organization_board", action="confirm")

        await h.portal.wait_for("essay_mark", 8)
        before = (await h.http.get(f"/campaigns/{campaign_id}/exam-results", headers=h.board)).json()
        assert before["marking_closed"] is False and all("full_name" not in r for r in before["results"])
        await _mark(h)

        votes = await h.portal.wait_for("committee_vote", 10)
        results = (await h.http.get(f"/campaigns/{campaign_id}/exam-results", headers=h.board)).json()
        assert results["marking_closed"] is True
        totals = {r["full_name"]: (Decimal(r["total"]), r["stage"]) for r in results["results"]}
        assert totals["Nguyễn Văn An"] == (Decimal("77.0"), "shortlisted")
        assert totals["Trần Thị Bình"][0] == Decimal("68.4")  # essay decided 64 by the head of marking
        assert totals["Trần Thị Bình"][1] == "passed" and totals["Đỗ Văn Giang"][1] == "failed"
        for t in votes:
            group = t.request.dossier["group"]
            [cand] = t.request.dossier["candidates"]
            member = str(t.request.assignee)
            if group == "G1":
                choice = {"tv.4": "reject", "bt.chair": "abstain"}.get(member, "approve")
            elif member in ("tv.3", "tv.4"):
                continue  # two members do not vote on G2 before the deadline
            else:
                choice = "reject" if member == "tv.2" else "approve"
            await h.portal.complete(t, actor=member, role="committee_member", action="vote",
                                    inputs={cand["candidate_id"]: choice})
        await h.portal.wait_for("committee_decision", 1)
        await h.env.sleep(timedelta(days=100))  # the G2 vote closes at the step's deadline
        decisions = await h.portal.wait_for("committee_decision", 2)
        assert {o.stage for o in h.portal.overdue} >= {"reminded"}
        for t in decisions:
            number_of = {"G1": "134-QĐ/TU", "G2": "135-QĐ/TU"}[t.request.dossier["group"]]
            await h.portal.complete(t, actor="bt.chair", role="committee_chair", action="decide",
                                    inputs={"decision_number": number_of})

        result = await h.env.client.get_workflow_handle(created.json()["workflow_id"]).result()
        assert result["step"] == "decided"
        status = (await h.http.get(f"/campaigns/{campaign_id}", headers=h.board)).json()
        assert status["step"] == "decided" and status["status"] == "decided"
        decision = (await h.http.get(f"/campaigns/{campaign_id}/decision", headers=h.board)).json()
        by_group = {g["group"]: g for g in decision["groups"]}
        assert [s["official_id"] for s in by_group["G1"]["selected"]] == ["off-dx1"]
        assert by_group["G2"]["selected"] == []  # 2 approvals of 5 members is not more than half of ALL
        g2 = by_group["G2"]["counts"][0]
        assert (g2["approvals"], g2["rejections"], g2["not_voted"]) == (2, 1, 2)
        await _check_records(h, campaign_id)
        await _retries_write_nothing(h, campaign_id)


async def _records(h: Harness) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    async with h.ctx.sessions() as s:
        events = [json.loads(p) for (p,) in (await s.execute(text("SELECT payload FROM outbox"))).all()]
        audit = [json.loads(b) for (b,) in (await s.execute(text("SELECT body FROM audit_log"))).all()]
    return events, audit


async def _retries_write_nothing(h: Harness, campaign_id: str) -> None:
    """An activity retried after its first attempt committed (a power cut before the worker reported it) writes
    no second score, audit record or event: record_component, close_marking."""
    events, audit = await _records(h)
    essays = [e["data"] for e in events if e["type"] == "EssayMarked"]
    scored = [a for a in audit if a["action"] == "exam.component_score"]
    d = essays[0]
    async with unit_of_work(h.ctx) as uow:
        await exam.record_component(uow, inp=ComponentResult(campaign_id, d["code"], "essay", d["score"], [],
                                                             d["spread"], d["decided_by"]),
                                    workflow=("wf-retry", "run-retry"))
    async with unit_of_work(h.ctx) as uow:
        summary = await exam.close_marking(uow, campaign_id=campaign_id, tie_orders={},
                                           bands=MarkingBands(),
                                           workflow=("wf-retry", "run-retry"))
    assert not summary.ties and [e.candidate_id for e in summary.shortlists["G1"]]
    after_events, after_audit = await _records(h)
    assert len(after_events) == len(events) and len(after_audit) == len(audit)
    assert len([a for a in after_audit if a["action"] == "exam.component_score"]) == len(scored)


async def _check_records(h: Harness, campaign_id: str) -> None:
    events, audit = await _records(h)
    published = [e for e in events if e["type"] == "ExamResultsPublished"]
    closed = [a for a in audit if a["action"] == "exam.close_marking"]
    assert len(published) == 1 and len(closed) == 1, "the results are published and audited once per campaign"
    essays = [(e["data"]["code"]) for e in events if e["type"] == "EssayMarked"]
    assert len(essays) == len(set(essays)), "one EssayMarked per paper"
    selected = [e["data"] for e in events if e["type"] == "CandidatesSelected"]
    g1 = next(d for d in selected if d["group"] == "G1")
    assert g1["class_id"] == "class-g1" and g1["decision_number"] == "134-QĐ/TU"
    assert [c["official_id"] for c in g1["candidates"]] == ["off-dx1"]
    types = {e["type"] for e in events}
    assert {"CampaignCreated", "NominationConferenceClosed", "CandidateScreenedIn", "CandidateScreenedOut",
            "EssayMarked", "InterviewScored", "MarkDiscrepancyResolved", "ExamResultsPublished",
            "CommitteeVoteClosed", "CandidatesSelected"} <= types
    actions = {a["action"] for a in audit}
    assert {"campaign.create", "nomination.propose", "conference.tally", "nomination.confirm", "screening.evaluate",
            "screening.override", "screening.confirm", "exam.mark", "exam.discrepancy", "exam.close_marking",
            "committee.decide"} <= actions
    for a in audit:
        if a["action"] in ("conference.tally", "nomination.confirm", "screening.override", "exam.mark",
                           "committee.decide"):
            assert a["workflow_id"] and a["run_id"], a
            assert a["policy_version"] or a["action"] == "exam.mark"
    override = next(a for a in audit if a["action"] == "screening.override")
    assert "12-QĐ/TU" in override["reason"]["vi"] and override["actor"]["user_id"] == "btc.tranthithu"
