"""Selection's HTTP routes that change state: campaigns, nominations, ballot tokens, ballots."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from temporalio.service import RPCError, RPCStatusCode

from contracts.selection import CLOSE_CONFERENCE_SIGNAL
from services.selection.deps import campaign_read
from services.selection.schemas import (
    BallotIn,
    CampaignCreate,
    CampaignRead,
    ConferenceCloseIn,
    NominationIn,
    NominationRead,
    TokensRead,
)
from services.selection.service import ballots, campaigns
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, authorize
from shared.context import ctx_of
from shared.errors import Problem, conflict
from shared.logging import get_logger
from shared.uow import unit_of_work

router = APIRouter(tags=["selection"])
log = get_logger(__name__)


@router.post("/campaigns", response_model=CampaignRead, status_code=201,
             responses={200: {"description": "the campaign with this number already exists"}})
async def create_campaign(body: CampaignCreate, request: Request,
                          principal: Annotated[Principal, Depends(allowed("campaign.write"))]) -> Any:
    """Create a campaign (its workflow is started from the CampaignCreated event committed with it); the same number
    again returns the existing one (200)."""
    ctx = ctx_of(request)
    created = False
    try:
        async with unit_of_work(ctx) as uow:
            campaign = await campaigns.find_by_number(uow, body.number)
            if campaign is None:
                campaign = await campaigns.create_campaign(uow, data=body, actor=actor_of(principal))
                created = True
    except IntegrityError:
        async with unit_of_work(ctx) as uow:
            campaign = await campaigns.find_by_number(uow, body.number)
        if campaign is None:
            raise conflict("campaign_conflict", "The campaign could not be created", "Không tạo được đợt tuyển chọn",
                           field_name="number") from None
    read = campaign_read(campaign)
    return JSONResponse(read.model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/campaigns/{campaign_id}/nominations", response_model=NominationRead, status_code=201)
async def propose(campaign_id: str, body: NominationIn, request: Request,
                  principal: Annotated[Principal, Depends(allowed("nomination.propose"))]) -> NominationRead:
    """A unit proposes a nominee with its evaluation (unit officers for their own unit)."""
    authorize(principal, "nomination.propose", unit=body.unit_code)
    await campaigns.check_nominee(ctx_of(request), request.app.state.directory, campaign_id=campaign_id, data=body)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            cand = await campaigns.propose_nominee(uow, campaign_id=campaign_id, data=body, actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("duplicate_nominee", "This official is already nominated in this campaign",
                       "Cán bộ này đã được giới thiệu trong đợt", field_name="official_id") from exc
    return NominationRead(id=cand.id, official_id=cand.official_id, full_name=cand.full_name,
                          unit_code=cand.unit_code, group_code=cand.group_code, stage=cand.stage)


@router.post("/campaigns/{campaign_id}/conferences/{code}/tokens", response_model=TokensRead, status_code=201)
async def issue_tokens(campaign_id: str, code: str, request: Request,
                       principal: Annotated[Principal, Depends(allowed("ballot.issue"))]) -> TokensRead:
    """One single-use ballot token per voter of the roster, shown once and in a shuffled order (only hashes are
    stored); the Organization Board only, never a service client."""
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            tokens = await ballots.issue_tokens(uow, campaign_id=campaign_id, conference_code=code,
                                                actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("tokens_already_issued", "Ballot tokens were already issued for this conference",
                       "Phiếu của hội nghị này đã được phát", field_name="conference") from exc
    return TokensRead(conference=code, tokens=tokens)


@router.post("/campaigns/{campaign_id}/conferences/{code}/close", status_code=202)
async def close_conference_early(campaign_id: str, code: str, body: ConferenceCloseIn, request: Request,
                                 principal: Annotated[Principal, Depends(allowed("ballot.issue"))]) -> dict[str, str]:
    """End a conference's ballot before its close time (the Board, in person): the conference is tallied now, as
    at its close; ballots cast after it are refused. The request's audit record commits only once the conference's
    workflow has taken the signal."""
    async with unit_of_work(ctx_of(request)) as uow:
        workflow_id = await ballots.close_early(uow, campaign_id=campaign_id, conference_code=code,
                                                reason=body.reason, actor=actor_of(principal))
        try:
            client = await request.app.state.runtime.temporal.client()
            await client.get_workflow_handle(workflow_id).signal(CLOSE_CONFERENCE_SIGNAL)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:  # not started yet, or already tallied
                raise conflict("conference_not_open", "The conference's ballot is not open",
                               "Cuộc bỏ phiếu của hội nghị chưa mở hoặc đã kết thúc", field_name="conference") from exc
            raise _unreachable() from exc
        except (OSError, RuntimeError) as exc:
            raise _unreachable() from exc
    return {"status": "closing"}


def _unreachable() -> Problem:
    return Problem(503, "workflow_unreachable", "The conference's process cannot be reached; try again",
                   "Không liên lạc được với quy trình của hội nghị; hãy thử lại")


@router.post("/ballots", status_code=202)
async def cast_ballot(body: BallotIn, request: Request) -> dict[str, str]:
    """Cast a secret ballot; no login — the single-use token is the credential."""
    async with unit_of_work(ctx_of(request)) as uow:
        await ballots.cast_ballot(uow, token=body.token, nominees=body.nominees)
    return {"status": "accepted"}
