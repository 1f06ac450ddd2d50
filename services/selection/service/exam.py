"""Step 3, examination: anonymous codes, independent marks, component scores, totals and ranking."""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from contracts.errors import DomainError
from contracts.selection import ComponentResult, ExamSummary, MarkRecord, Paper, ShortlistEntry, TieAtCutoff
from services.selection.domain.ranking import ExamScore, apply_head_decision, rank_candidates, select_for_seats
from services.selection.models import Candidate, Mark
from services.selection.service.campaign_store import (
    dumps,
    get_campaign,
    loads,
    policy_of,
    record_decision,
    settings_of,
)
from services.selection.service.screening import candidates
from shared.audit import Actor
from shared.logging import get_logger
from shared.marking import MarkingBands, score_exam, to_mark
from shared.uow import UnitOfWork

Workflow = tuple[str | None, str | None]
log = get_logger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_code() -> str:
    """A random 6-character anonymisation code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


async def prepare_exam(uow: UnitOfWork, *, campaign_id: str) -> list[Paper]:
    """Give every eligible candidate a random code (once); the workflow learns only code and unit."""
    cands = await candidates(uow, campaign_id, "eligible", "examined")
    taken = set((await uow.session.execute(select(Candidate.exam_code).where(
        Candidate.exam_code.is_not(None)))).scalars().all())
    papers = []
    for c in cands:
        if c.exam_code is None:
            code = new_code()
            while code in taken:
                code = new_code()
            taken.add(code)
            c.exam_code = code
        c.stage = "examined"
        papers.append(Paper(code=c.exam_code, unit_code=c.unit_code))
    return sorted(papers, key=lambda p: p.code)


async def record_mark(uow: UnitOfWork, *, inp: MarkRecord, workflow: Workflow) -> None:
    """Record one independent mark (or a discrepancy decision) with its audit record; idempotent per marker."""
    campaign = await get_campaign(uow, inp.campaign_id)
    mark = to_mark(inp.mark)
    component = inp.component if inp.kind == "mark" else f"{inp.component}:decided"
    exists = (await uow.session.execute(select(Mark.id).where(
        Mark.campaign_id == inp.campaign_id, Mark.exam_code == inp.code, Mark.component == component,
        Mark.marker_id == inp.marker_id))).first()
    if exists:
        return
    uow.session.add(Mark(id=str(uuid.uuid4()), campaign_id=inp.campaign_id, exam_code=inp.code,
                         component=component, marker_id=inp.marker_id, mark=str(mark),
                         recorded_at=datetime.now(UTC)))
    what = "Chấm điểm" if inp.kind == "mark" else "Quyết định điểm khi chênh lệch"
    await record_decision(uow, actor=Actor(inp.marker_id, inp.marker_role), action=f"exam.{inp.kind}",
                          subject=f"paper:{inp.code}:{inp.component}",
                          reason_vi=f"{what} bài {inp.code} ({inp.component}): {mark}. {inp.comment}",
                          reason_en=f"{inp.kind} for paper {inp.code} ({inp.component}): {mark}. {inp.comment}",
                          inputs={"code": inp.code, "component": inp.component, "mark": str(mark)},
                          policy_version=policy_of(campaign)["exam_marking"], workflow=workflow,
                          kind=f"{inp.component}_{inp.kind}")


async def record_component(uow: UnitOfWork, *, inp: ComponentResult, workflow: Workflow) -> None:
    """Store a paper's final component score (by code; identities stay apart until marking closes), with the marks
    behind it when the workflow sends them (``records``); idempotent per paper and component: an activity retried
    after its first attempt committed (a crash before the worker reported it) writes no second score, mark, audit
    record or event."""
    campaign = await get_campaign(uow, inp.campaign_id)
    # locked: a paper's essay and interview finish concurrently (PaperMarking marks both at once), and each adds
    # its score to the same JSON; unlocked on PostgreSQL, the later commit wrote back what it had read before the
    # earlier one committed, the other score was lost, and close_marking counted it 0 (a "failed" candidate)
    cand = (await uow.session.execute(select(Candidate).where(
        Candidate.campaign_id == inp.campaign_id, Candidate.exam_code == inp.code).with_for_update())).scalar_one()
    exam = loads(cand.exam) or {}
    if inp.component in exam:
        log.info("component_already_recorded", campaign_id=inp.campaign_id, code=inp.code, component=inp.component)
        return
    for mark in inp.records:  # the marks behind the score, each with its marker's audit record (ONE_FILING runs)
        if (mark.campaign_id, mark.code, mark.component) != (inp.campaign_id, inp.code, inp.component):
            raise DomainError("mark_of_another_paper", "A mark recorded with a score must be of that paper and "
                              "component", "Điểm ghi kèm phải thuộc đúng bài và phần thi đó", field="records")
        await record_mark(uow, inp=mark, workflow=workflow)
    exam[inp.component] = {"score": inp.score, "marks": inp.marks, "spread": inp.spread,
                           "decided_by": inp.decided_by}
    cand.exam = dumps(exam)
    event = "EssayMarked" if inp.component == "essay" else "InterviewScored"
    uow.emit(event, subject=inp.campaign_id, workflow_id=workflow[0], data={
        "campaign_id": inp.campaign_id, "code": inp.code, "score": inp.score, "spread": inp.spread,
        "decided_by": inp.decided_by})
    if inp.decided_by in ("marking_head", "council_chair"):
        uow.emit("MarkDiscrepancyResolved", subject=inp.campaign_id, workflow_id=workflow[0], data={
            "campaign_id": inp.campaign_id, "code": inp.code, "component": inp.component, "score": inp.score,
            "spread": inp.spread, "decided_by": inp.decided_by})
    await record_decision(uow, actor=Actor("svc.selection", "service"), action="exam.component_score",
                          subject=f"paper:{inp.code}:{inp.component}",
                          reason_vi=f"Điểm {inp.component} của bài {inp.code}: {inp.score} (chênh lệch {inp.spread}, "
                                    f"{inp.decided_by})",
                          reason_en=f"{inp.component} score of paper {inp.code}: {inp.score} (spread {inp.spread}, "
                                    f"{inp.decided_by})",
                          inputs={"marks": inp.marks, "score": inp.score}, kind=f"{inp.component}_score",
                          policy_version=policy_of(campaign)["exam_marking"], workflow=workflow)


async def close_marking(uow: UnitOfWork, *, campaign_id: str, tie_orders: dict[str, list[str]],
                        bands: MarkingBands, workflow: Workflow) -> ExamSummary:
    """Weighted totals, pass mark, ranking per group (art. 10 tie-breaks); identities are joined back now.

    Once marking has closed (no tie left), a later call — the committee step asks again, possibly in a new run
    after continue-as-new, or a retry after a crash — returns the published shortlists and writes nothing: the
    results are audited and ExamResultsPublished is emitted once per campaign."""
    campaign = await get_campaign(uow, campaign_id)
    if campaign.marking_closed:
        return await published_summary(uow, campaign_id=campaign_id)
    settings = settings_of(campaign)
    weights = {k: Decimal(v) for k, v in settings["exam"]["weights"].items()}
    specialised = settings["exam"]["specialised_component"]
    pass_mark = Decimal(str(settings["exam"]["pass_mark"])) if settings["exam"].get("pass_mark") else bands.pass_mark
    per_group: dict[str, list[ExamScore]] = defaultdict(list)
    by_id: dict[str, Candidate] = {}
    for c in await candidates(uow, campaign_id, "examined", "passed", "failed", "shortlisted"):
        exam = loads(c.exam) or {}
        components = {k: exam.get(k, {}).get("score", "0") for k in weights}
        result = score_exam(components=components, weights=weights,
                            bands=MarkingBands(pass_mark=pass_mark, scale=bands.scale))
        exam.update(total=str(result.total), passed=result.passed, pass_mark=str(pass_mark))
        c.exam = dumps(exam)
        c.stage = "passed" if result.passed else "failed"
        by_id[c.id] = c
        if result.passed:
            per_group[c.group_code].append(ExamScore(c.id, result.total, Decimal(components[specialised]),
                                                     Decimal(components["essay"])))
    shortlists: dict[str, list[ShortlistEntry]] = {}
    ties: list[TieAtCutoff] = []
    for group in settings["groups"]:
        ranking = rank_candidates(per_group.get(group["code"], []))
        for key, order in tie_orders.items():
            g, rank = key.split(":")
            if g == group["code"]:
                ranking = apply_head_decision(ranking, rank=int(rank), order=order)
        for rg in ranking:
            for cid in rg.candidate_ids:
                exam = loads(by_id[cid].exam)
                exam["rank"] = rg.rank
                by_id[cid].exam = dumps(exam)
        chosen = select_for_seats(ranking, int(group["seats"]))
        if chosen.tie_at_cutoff is not None:
            tied = list(chosen.tie_at_cutoff.candidate_ids)
            scores = {e.candidate_id: e for e in per_group[group["code"]]}
            ties.append(TieAtCutoff(group["code"], chosen.tie_at_cutoff.rank, tied, chosen.open_seats, [
                {"candidate_id": cid, "full_name": by_id[cid].full_name, "total": str(scores[cid].total),
                 "specialised": str(scores[cid].specialised), "essay": str(scores[cid].essay)} for cid in tied]))
        rank_of = {cid: rg.rank for rg in ranking for cid in rg.candidate_ids}
        shortlists[group["code"]] = [
            ShortlistEntry(cid, by_id[cid].full_name, by_id[cid].unit_code, rank_of[cid],
                           loads(by_id[cid].exam)["total"]) for cid in chosen.selected]
    if not ties:
        campaign.marking_closed = True
        for _group_code, entries in shortlists.items():
            for e in entries:
                by_id[e.candidate_id].stage = "shortlisted"
        uow.emit("ExamResultsPublished", subject=campaign_id, workflow_id=workflow[0], data={
            "campaign_id": campaign_id, "passed": sum(1 for c in by_id.values() if c.stage != "failed"),
            "failed": sum(1 for c in by_id.values() if c.stage == "failed"),
            "shortlisted": {g: len(v) for g, v in shortlists.items()}})
        await record_decision(uow, actor=Actor("svc.selection", "service"), action="exam.close_marking",
                              subject=f"campaign:{campaign_id}",
                              reason_vi=f"Kết thúc chấm thi; điểm đạt {pass_mark}; xếp hạng theo tổng điểm, điểm "
                                        f"chuyên ngành, điểm viết",
                              reason_en=f"Marking closed; pass mark {pass_mark}; ranked by total, specialised, essay",
                              inputs={"tie_orders": tie_orders,
                                      "shortlists": {g: [e.candidate_id for e in v] for g, v in shortlists.items()}},
                              policy_version=policy_of(campaign)["exam_marking"], workflow=workflow,
                              kind="exam_results")
    return ExamSummary(shortlists=shortlists, ties=ties)


AFTER_MARKING = ("shortlisted", "selected", "not_selected")


async def published_summary(uow: UnitOfWork, *, campaign_id: str) -> ExamSummary:
    """The shortlists as marking closed them, read back from the candidates (rank and total stored then)."""
    campaign = await get_campaign(uow, campaign_id)
    rows = await candidates(uow, campaign_id, *AFTER_MARKING)
    shortlists: dict[str, list[ShortlistEntry]] = {g["code"]: [] for g in settings_of(campaign)["groups"]}
    for c in sorted(rows, key=lambda c: (int((loads(c.exam) or {}).get("rank", 0)), c.id)):
        exam = loads(c.exam) or {}
        shortlists.setdefault(c.group_code, []).append(
            ShortlistEntry(c.id, c.full_name, c.unit_code, int(exam["rank"]), str(exam["total"])))
    log.info("marking_already_closed", campaign_id=campaign_id)
    return ExamSummary(shortlists=shortlists, ties=[])
