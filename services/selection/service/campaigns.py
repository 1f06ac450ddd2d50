"""Creating campaigns and proposing nominees."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from contracts.selection import campaign_workflow_id
from services.selection.adapters.directory import OfficialDirectory, OfficialNotFound
from services.selection.models import Campaign, Candidate, Conference
from services.selection.schemas import CampaignCreate, NominationIn
from services.selection.service.campaign_store import dumps, get_campaign, policy_book, record_decision, settings_of
from shared.audit import Actor
from shared.context import ServiceContext
from shared.errors import FieldError, Problem, conflict, invalid
from shared.metrics import CAMPAIGN_STEPS
from shared.policy import PolicyNotInForceError
from shared.uow import UnitOfWork

RULES = ("nomination_threshold", "exam_marking", "committee_approval", "retirement_age",
         "planning_min_months_before_retirement", "discipline_exclusion")


def workflow_id_for(number: str) -> str:
    """The campaign workflow's id, derived from the campaign number (so starts are idempotent); the workflows
    process's starter starts it from CampaignCreated."""
    return campaign_workflow_id(number)


async def find_by_number(uow: UnitOfWork, number: str) -> Campaign | None:
    """The campaign with this number, if any."""
    return (await uow.session.execute(select(Campaign).where(Campaign.number == number))).scalar_one_or_none()


async def create_campaign(uow: UnitOfWork, *, data: CampaignCreate, actor: Actor) -> Campaign:
    """Record a campaign with its settings and the rule versions in force on its proposal date; CampaignCreated,
    committed with it, starts its workflow (workflows.starters)."""
    versions: dict[str, str] = {}
    for rule in RULES:
        try:
            versions[rule] = policy_book().in_force(rule, data.proposal_date).version_id
        except PolicyNotInForceError as exc:
            raise invalid("proposal_date", "policy_not_in_force", str(exc),
                          f"Không có quy định {rule} áp dụng vào ngày {data.proposal_date.isoformat()}") from exc
    now = datetime.now(UTC)
    campaign = Campaign(id=str(uuid.uuid4()), number=data.number, title=data.title, status="running",
                        step="nomination", settings=dumps(data.model_dump(mode="json")), policy=dumps(versions),
                        workflow_id=workflow_id_for(data.number), marking_closed=False, created_at=now,
                        created_by=actor.user_id)
    uow.session.add(campaign)
    for conf in data.conferences:
        uow.session.add(Conference(id=str(uuid.uuid4()), campaign_id=campaign.id, code=conf.code,
                                   unit_code=conf.unit_code, convened=len(conf.roster), max_names=conf.max_names,
                                   status="open", tokens_issued=False))
    await uow.session.flush()
    uow.emit("CampaignCreated", subject=campaign.id, workflow_id=campaign.workflow_id, data={
        "campaign_id": campaign.id, "number": campaign.number, "title": campaign.title,
        "proposal_date": data.proposal_date.isoformat(),
        "groups": [{"code": g.code, "seats": g.seats, "class_id": g.class_id} for g in data.groups]})
    await record_decision(uow, actor=actor, action="campaign.create", subject=f"campaign:{campaign.id}",
                          reason_vi=f"Tạo đợt tuyển chọn {campaign.number}",
                          reason_en=f"Campaign {campaign.number} created",
                          inputs={"number": data.number, "groups": [g.model_dump(mode="json") for g in data.groups],
                                  "policy": versions},
                          policy_version=versions["nomination_threshold"], workflow=(campaign.workflow_id, None))
    CAMPAIGN_STEPS.labels("nomination").inc()
    return campaign


async def check_nominee(ctx: ServiceContext, directory: OfficialDirectory, *, campaign_id: str,
                        data: NominationIn) -> None:
    """Refuse at the API what screening would meet later: an official registration does not know (422) or one of
    another unit than the one proposing (403); registration unreachable is a 503 (nothing recorded). An unknown
    campaign is a 404 first."""
    async with ctx.sessions() as session:
        await get_campaign(session, campaign_id)
    try:
        record = await directory.fetch(data.official_id)
    except OfficialNotFound:
        raise invalid("official_id", "unknown_official", f"Official {data.official_id} does not exist",
                      f"Không có cán bộ {data.official_id}") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise Problem(503, "registration_unavailable", "Officials' records cannot be read now",
                      "Chưa đọc được hồ sơ cán bộ", "Try again in a moment; nothing was recorded",
                      "Hãy thử lại sau giây lát; chưa có gì được ghi nhận") from exc
    if str(record.get("unit_code") or "") != data.unit_code:
        raise Problem(403, "nominee_of_other_unit", "The official does not belong to the proposing unit",
                      "Cán bộ không thuộc đơn vị giới thiệu",
                      f"Unit {data.unit_code} may only propose its own officials",
                      f"Đơn vị {data.unit_code} chỉ được giới thiệu cán bộ của đơn vị mình",
                      [FieldError("official_id", "nominee_of_other_unit",
                                  "The official does not belong to the proposing unit",
                                  "Cán bộ không thuộc đơn vị giới thiệu")])


async def propose_nominee(uow: UnitOfWork, *, campaign_id: str, data: NominationIn, actor: Actor) -> Candidate:
    """A unit proposes one of its officials, with the unit's evaluation, while nominations are open."""
    campaign = await get_campaign(uow, campaign_id)
    settings = settings_of(campaign)
    if campaign.step != "nomination":
        raise conflict("nominations_closed", "Nominations are closed for this campaign",
                       "Đợt tuyển chọn đã hết hạn giới thiệu", field_name="official_id")
    if data.group_code not in {g["code"] for g in settings["groups"]}:
        raise invalid("group_code", "unknown_group", f"Unknown target group {data.group_code}",
                      f"Không có nhóm đối tượng {data.group_code}")
    open_confs = (await uow.session.execute(select(Conference.unit_code).where(
        Conference.campaign_id == campaign_id, Conference.status == "open"))).scalars().all()
    if not any(u in (None, data.unit_code) for u in open_confs):
        raise conflict("conference_closed", f"No open conference votes on nominees of {data.unit_code}",
                       f"Không còn hội nghị lấy phiếu nào mở cho đơn vị {data.unit_code}", field_name="unit_code")
    existing = (await uow.session.execute(select(Candidate.id).where(
        Candidate.campaign_id == campaign_id, Candidate.official_id == data.official_id))).first()
    if existing:
        raise conflict("duplicate_nominee", "This official is already nominated in this campaign",
                       "Cán bộ này đã được giới thiệu trong đợt", field_name="official_id")
    cand = Candidate(id=str(uuid.uuid4()), campaign_id=campaign_id, official_id=data.official_id,
                     full_name=data.full_name, unit_code=data.unit_code, group_code=data.group_code,
                     evaluation=data.evaluation, proposed_by=actor.user_id, stage="nominated")
    uow.session.add(cand)
    await uow.session.flush()
    await record_decision(uow, actor=actor, action="nomination.propose", subject=f"candidate:{cand.id}",
                          reason_vi=f"Đơn vị {data.unit_code} giới thiệu {data.full_name}",
                          reason_en=f"Unit {data.unit_code} proposed a nominee",
                          inputs={"campaign_id": campaign_id, "candidate_id": cand.id,
                                  "group_code": data.group_code, "evaluation": data.evaluation},
                          policy_version=None, workflow=(campaign.workflow_id, None))
    return cand
