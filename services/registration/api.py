"""Registration's HTTP routes (thin: parse, authorise, call the service, shape the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registration import service
from services.registration.models import Unit
from services.registration.schemas import UnitCreate, UnitRead
from shared.audit import Actor
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ServiceContext
from shared.errors import conflict, not_found
from shared.uow import unit_of_work
from shared.vietnamese import fold, sort_key

router = APIRouter(tags=["units"])


def _ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def actor_of(principal: Principal) -> Actor:
    """The audit actor for a caller."""
    return Actor(user_id=principal.user_id, role=sorted(principal.roles)[0] if principal.roles else "none")


def _read(unit: Unit) -> UnitRead:
    return UnitRead(id=unit.id, code=unit.code, name=unit.name, kind=unit.kind, parent_code=unit.parent_code,
                    status=unit.status, created_at=unit.created_at)


@router.post("/units", status_code=201, response_model=UnitRead)
async def create_unit(body: UnitCreate, request: Request,
                      principal: Annotated[Principal, Depends(allowed("unit.create"))]) -> UnitRead:
    """Register a unit (Organization Board or a service client)."""
    try:
        async with unit_of_work(_ctx(request)) as uow:
            unit = await service.create_unit(uow, data=body, actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("duplicate_unit_code", f"A unit with code {body.code} already exists",
                       f"Đã có đơn vị với mã {body.code}", field_name="code") from exc
    return _read(unit)


@router.get("/units", response_model=list[UnitRead])
async def list_units(request: Request, principal: Annotated[Principal, Depends(allowed("unit.read"))],
                     q: Annotated[str | None, Query(max_length=200)] = None) -> list[UnitRead]:
    """Units, in Vietnamese order; ``q`` matches names ignoring diacritics and case."""
    async with _ctx(request).sessions() as session:
        query = select(Unit)
        if q:
            query = query.where(Unit.name_folded.contains(fold(q)) | Unit.code.contains(q.upper()))
        units = (await session.execute(query)).scalars().all()
    visible = [u for u in units if principal.covers_unit(u.code)]
    return [_read(u) for u in sorted(visible, key=lambda u: sort_key(u.name))]


@router.get("/units/{code}", response_model=UnitRead)
async def get_unit(code: str, request: Request,
                   principal: Annotated[Principal, Depends(allowed("unit.read"))]) -> UnitRead:
    """One unit by its code."""
    async with _ctx(request).sessions() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()
    if unit is None or not principal.covers_unit(unit.code):
        raise not_found("Unit", "đơn vị", code)
    return _read(unit)
