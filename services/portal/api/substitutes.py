"""Out-of-office periods: a person's new and open tasks go to a delegate from..to; the person's own list; ending a
period early (its moved tasks come back). Thin: parse, authorise in shared.authz, call the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.portal.deps import directory_of
from services.portal.models import Substitute
from services.portal.schemas import SubstituteCreate, SubstituteEnd, SubstituteRead
from services.portal.service import assignment
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.uow import unit_of_work

router = APIRouter(tags=["substitutes"])
Substituting = Annotated[Principal, Depends(allowed("task.substitute"))]


def _read(sub: Substitute, moved: int = 0) -> SubstituteRead:
    return SubstituteRead(id=sub.id, user_id=sub.user_id, delegate=sub.delegate, starts_at=sub.starts_at,
                          ends_at=sub.ends_at, rerouted_tasks=moved, reason=sub.reason)


@router.post("/substitutes", status_code=201, response_model=SubstituteRead)
async def create_substitute(body: SubstituteCreate, request: Request, principal: Substituting) -> SubstituteRead:
    """Out of office: from..to, my new and open tasks go to the delegate."""
    async with unit_of_work(ctx_of(request)) as uow:
        sub_id, moved = await assignment.register_substitute(uow, principal=principal, data=body,
                                                             directory=directory_of(request))
    return SubstituteRead(id=sub_id, user_id=body.user_id or principal.user_id, delegate=body.delegate,
                          starts_at=body.starts_at, ends_at=body.ends_at, rerouted_tasks=moved, reason=body.reason)


@router.get("/substitutes", response_model=list[SubstituteRead])
async def my_substitutes(request: Request, principal: Substituting) -> list[SubstituteRead]:
    """My out-of-office periods in force or to come, soonest first."""
    async with unit_of_work(ctx_of(request)) as uow:
        return [_read(s) for s in await assignment.substitutes_of(uow, user_id=principal.user_id)]


@router.post("/substitutes/{substitute_id}/end", response_model=SubstituteEnd)
async def end_substitute(substitute_id: str, request: Request, principal: Substituting) -> SubstituteEnd:
    """End an out-of-office period now; the open tasks it moved come back."""
    async with unit_of_work(ctx_of(request)) as uow:
        sub, returned = await assignment.end_substitute(uow, principal=principal, substitute_id=substitute_id)
    return SubstituteEnd(id=sub.id, ended_at=sub.ends_at, returned_tasks=returned)
