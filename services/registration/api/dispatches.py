"""Postgraduate dispatch routes: dispatch with its commitment, leaving early with the refund."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.registration.models import Official, PostgraduateDispatch
from services.registration.schemas import DispatchCreate, DispatchLeave, DispatchRead
from services.registration.service import dispatches
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.errors import not_found
from shared.uow import unit_of_work

router = APIRouter(tags=["dispatches"])


@router.post("/officials/{official_id}/dispatches", response_model=DispatchRead, status_code=201)
async def dispatch_official(official_id: UUID, body: DispatchCreate, request: Request,
                            principal: Annotated[Principal, Depends(allowed("dispatch.write"))]) -> DispatchRead:
    """Dispatch an official to postgraduate education by the rule in force on the dispatch date (422 if unmet)."""
    async with unit_of_work(ctx_of(request)) as uow:
        official = await uow.session.get(Official, str(official_id))
        if official is None or official.status != "active":
            raise not_found("Official", "cán bộ", official_id)
        row = await dispatches.dispatch(uow, official=official, data=body, principal=principal)
        return dispatches.read(row)


@router.get("/officials/{official_id}/dispatches", response_model=list[DispatchRead])
async def list_dispatches(official_id: UUID, request: Request,
                          principal: Annotated[Principal, Depends(allowed("official.read"))]) -> list[DispatchRead]:
    """An official's postgraduate dispatches, commitments and refunds."""
    async with ctx_of(request).read_sessions() as session:
        official = await session.get(Official, str(official_id))
        if official is None or not principal.covers_unit(official.unit_code):
            raise not_found("Official", "cán bộ", official_id)
        return [dispatches.read(d) for d in await dispatches.dispatches_of(session, official.id)]


@router.post("/officials/{official_id}/dispatches/{dispatch_id}/leave", response_model=DispatchRead)
async def leave_early(official_id: UUID, dispatch_id: UUID, body: DispatchLeave, request: Request,
                      principal: Annotated[Principal, Depends(allowed("dispatch.write"))]) -> DispatchRead:
    """Record leaving service early: the refund cost × (T1 − T2) / T1 by the rule in force at dispatch."""
    async with unit_of_work(ctx_of(request)) as uow:
        row = await uow.session.get(PostgraduateDispatch, str(dispatch_id))
        if row is None or row.official_id != str(official_id):
            raise not_found("Dispatch", "đợt cử đi học", dispatch_id)
        await dispatches.leave(uow, row=row, data=body, principal=principal)
        return dispatches.read(row)
