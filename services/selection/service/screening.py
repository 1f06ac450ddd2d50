"""Step 1's confirmation and step 2, pre-screening: every criterion from registration's record, explained."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from contracts.selection import DecisionInput, NomineeSummary, ScreeningSummary
from services.selection.adapters.directory import OfficialDirectory, OfficialNotFound, to_record
from services.selection.domain.eligibility import GroupCriteria, evaluate_eligibility
from services.selection.models import Candidate
from services.selection.service.campaign_store import (
    SYSTEM,
    dumps,
    get_campaign,
    loads,
    policy_book,
    policy_of,
    proposal_date,
    record_decision,
    settings_of,
)
from shared.audit import Actor, digest
from shared.domain_errors import DomainValidationError
from shared.metrics import CAMPAIGN_STEPS
from shared.uow import UnitOfWork

Workflow = tuple[str | None, str | None]


def summary(c: Candidate, detail: str = "", detail_vi: str = "",
            criteria: list[dict[str, Any]] | None = None) -> NomineeSummary:
    """A candidate in a dossier (with the screening's reason in both languages and each criterion, when screened)."""
    return NomineeSummary(candidate_id=c.id, full_name=c.full_name, unit_code=c.unit_code,
                          group_code=c.group_code, detail=detail, proposed_by=c.proposed_by, detail_vi=detail_vi,
                          criteria=[{"passed": bool(x["passed"]), "explanation_vi": str(x["explanation_vi"]),
                                     "explanation_en": str(x["explanation_en"])} for x in criteria or []])


async def candidates(uow: UnitOfWork, campaign_id: str, *stages: str) -> list[Candidate]:
    """The campaign's candidates at the given stages (all when none given)."""
    query = select(Candidate).where(Candidate.campaign_id == campaign_id)
    if stages:
        query = query.where(Candidate.stage.in_(stages))
    return list((await uow.session.execute(query.order_by(Candidate.id))).scalars().all())


async def set_step(uow: UnitOfWork, *, campaign_id: str, step: str) -> None:
    """Move the campaign to a step (idempotent)."""
    campaign = await get_campaign(uow, campaign_id)
    if campaign.step != step:
        campaign.step = step
        if step == "decided":
            campaign.status = "decided"
        CAMPAIGN_STEPS.labels(step).inc()


async def apply_decision(uow: UnitOfWork, *, inp: DecisionInput, workflow: Workflow) -> None:
    """Apply and audit a person's decision on the nomination or screening step."""
    campaign = await get_campaign(uow, inp.campaign_id)
    actor = Actor(user_id=inp.actor_id, role=inp.actor_role, on_behalf_of=inp.on_behalf_of)
    policy = policy_of(campaign)
    inputs: dict[str, Any] = {"campaign_id": inp.campaign_id, "action": inp.action, "comment": inp.comment,
                              "inputs": inp.inputs, "task_id": inp.task_id}
    if inp.kind == "nomination_confirmation":
        proposed = await candidates(uow, inp.campaign_id, "proposed")
        for c in proposed:
            c.stage = "confirmed"
        inputs["confirmed"] = [c.id for c in proposed]
        await record_decision(uow, actor=actor, action="nomination.confirm", subject=f"campaign:{campaign.id}",
                              reason_vi=f"Ban Tổ chức xác nhận {len(proposed)} người được giới thiệu. {inp.comment}",
                              reason_en=f"The Organization Board confirmed {len(proposed)} proposal(s). {inp.comment}",
                              inputs=inputs, policy_version=policy["nomination_threshold"], workflow=workflow,
                              kind="nomination_confirmation", outcome=inp.action)
    elif inp.kind == "screening_override":
        await _override(uow, campaign.id, inp, actor, inputs, policy, workflow)
    elif inp.kind == "screening_confirmation":
        eligible = await candidates(uow, inp.campaign_id, "eligible")
        inputs["eligible"] = [c.id for c in eligible]
        await record_decision(uow, actor=actor, action="screening.confirm", subject=f"campaign:{campaign.id}",
                              reason_vi=f"Ban Tổ chức xác nhận danh sách {len(eligible)} người đủ điều kiện",
                              reason_en=f"The Organization Board confirmed the list of {len(eligible)} eligible",
                              inputs=inputs, policy_version=policy["planning_min_months_before_retirement"],
                              workflow=workflow, kind="screening_confirmation", outcome=inp.action)
    else:
        raise DomainValidationError("unknown_decision_kind", f"Không có loại quyết định {inp.kind}",
                                    f"Unknown decision kind {inp.kind}", "kind")


async def _override(uow: UnitOfWork, campaign_id: str, inp: DecisionInput, actor: Actor, inputs: dict[str, Any],
                    policy: dict[str, str], workflow: Workflow) -> None:
    cand = await uow.session.get(Candidate, str(inp.inputs.get("candidate_id", "")))
    if cand is None or cand.campaign_id != campaign_id or cand.stage not in ("eligible", "ineligible"):
        await record_decision(uow, actor=actor, action="screening.override_refused", subject=f"campaign:{campaign_id}",
                              reason_vi="Không áp dụng được: không có nhân sự này trong danh sách sơ tuyển",
                              reason_en="Not applied: no such candidate in the screening list", inputs=inputs,
                              policy_version=None, workflow=workflow, kind="screening_override", outcome="refused")
        return
    result = str(inp.inputs.get("result"))
    before = cand.stage
    cand.stage = "eligible" if result == "eligible" else "ineligible"
    screening = loads(cand.screening) or {}
    screening["override"] = {"from": before, "to": cand.stage, "reason": inp.comment, "by": actor.user_id}
    cand.screening = dumps(screening)
    await record_decision(uow, actor=actor, action="screening.override", subject=f"candidate:{cand.id}",
                          reason_vi=f"Điều chỉnh kết quả sơ tuyển: {before} → {cand.stage}. Lý do: {inp.comment}",
                          reason_en=f"Screening result overridden: {before} → {cand.stage}. Reason: {inp.comment}",
                          inputs=inputs, policy_version=policy["planning_min_months_before_retirement"],
                          workflow=workflow, kind="screening_override", outcome=cand.stage)


async def screen(uow: UnitOfWork, *, campaign_id: str, snapshot_at: str, records: dict[str, dict[str, Any] | None],
                 workflow: Workflow) -> ScreeningSummary:
    """Evaluate every confirmed nominee against their group's criteria from the records read at the snapshot."""
    campaign = await get_campaign(uow, campaign_id)
    settings = settings_of(campaign)
    criteria = {g["code"]: GroupCriteria(**g["criteria"]) for g in settings["groups"]}
    snapshot = datetime.fromisoformat(snapshot_at)
    on = proposal_date(campaign)
    eligible: list[NomineeSummary] = []
    ineligible: list[NomineeSummary] = []
    for cand in await candidates(uow, campaign_id, "confirmed", "eligible", "ineligible"):
        doc = records.get(cand.official_id)
        result_doc: dict[str, Any]
        if doc is None:
            result_doc = {"eligible": False, "criteria": [{
                "code": "record", "passed": False, "explanation_vi": "Không tìm thấy hồ sơ cán bộ",
                "explanation_en": "the official's record was not found"}], "policy_versions": []}
        else:
            try:
                res = evaluate_eligibility(record=to_record(doc, planning_on=snapshot.date()),
                                           criteria=criteria[cand.group_code], book=policy_book(),
                                           reference_date=on, proposal_date=on)
                result_doc = {"eligible": res.eligible, "policy_versions": list(res.policy_versions),
                              "criteria": [{"code": c.code, "passed": c.passed, "explanation_vi": c.explanation_vi,
                                            "explanation_en": c.explanation_en,
                                            # a campaign's own criterion is named by the campaign's settings
                                            "rule_version": c.rule_version or f"campaign/{campaign.number}",
                                            "evaluated_on": on.isoformat()} for c in res.criteria]}
            except (DomainValidationError, KeyError, ValueError) as exc:
                result_doc = {"eligible": False, "policy_versions": [], "criteria": [{
                    "code": "record", "passed": False, "explanation_vi": f"Hồ sơ không hợp lệ: {exc}",
                    "explanation_en": f"the record is not valid: {exc}"}]}
        result_doc.update(snapshot_at=snapshot_at, record_digest=digest(doc), evaluated_on=on.isoformat())
        cand.screening = dumps(result_doc)
        cand.stage = "eligible" if result_doc["eligible"] else "ineligible"
        failed = [c for c in result_doc["criteria"] if not c["passed"]]
        why_vi = "; ".join(c["explanation_vi"] for c in failed) or "Đạt tất cả tiêu chuẩn"
        why_en = "; ".join(c["explanation_en"] for c in failed) or "meets every criterion"
        (eligible if result_doc["eligible"] else ineligible).append(
            summary(cand, why_en, why_vi, result_doc["criteria"]))
        uow.emit("CandidateScreenedIn" if result_doc["eligible"] else "CandidateScreenedOut", subject=cand.id,
                 workflow_id=workflow[0], data={"campaign_id": campaign_id, "candidate_id": cand.id,
                                                "group": cand.group_code,
                                                "failed": [c["code"] for c in failed]})
        await record_decision(uow, actor=SYSTEM, action="screening.evaluate", subject=f"candidate:{cand.id}",
                              reason_vi=why_vi, reason_en=why_en,
                              inputs={"criteria": result_doc["criteria"], "snapshot_at": snapshot_at,
                                      "evaluated_on": on.isoformat(),
                                      "record_digest": result_doc["record_digest"]},
                              policy_version=",".join(result_doc["policy_versions"]) or None, workflow=workflow,
                              kind="screening", outcome=cand.stage)
    campaign.screening_snapshot_at = snapshot.astimezone(UTC)
    campaign.screening_digest = digest(records)
    return ScreeningSummary(eligible=eligible, ineligible=ineligible, snapshot_at=snapshot_at,
                            digest=campaign.screening_digest)


async def official_ids(uow: UnitOfWork, campaign_id: str) -> list[str]:
    """The official ids of the confirmed nominees (to read from registration)."""
    return [c.official_id for c in await candidates(uow, campaign_id, "confirmed", "eligible", "ineligible")]


async def read_records(directory: OfficialDirectory, ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """Read each official's record; a missing one is None (and will be screened out with the reason)."""
    out: dict[str, dict[str, Any] | None] = {}
    for oid in ids:
        try:
            out[oid] = await directory.fetch(oid)
        except OfficialNotFound:
            out[oid] = None
    return out
