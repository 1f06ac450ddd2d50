"""Registration's HTTP routes (thin: parse, authorise, call the service, shape the answer)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registration.adapters.export import table_response
from services.registration.deps import today
from services.registration.models import Official, OfficialUnitHistory, Registration, Unit, UnitReorganisation
from services.registration.schemas import (
    ImportBatch,
    ImportReport,
    ReorganisationCreate,
    ReorganisationRead,
    UnitCreate,
    UnitRead,
)
from services.registration.service import imports, reorganisation
from services.registration.service import units as service
from services.registration.service.officials import summary
from services.registration.service.registrations import read as read_registration
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, authorize
from shared.context import ctx_of
from shared.errors import conflict, not_found
from shared.uow import unit_of_work
from shared.vietnamese import fold, sort_key

router = APIRouter(tags=["units"])



def _read(unit: Unit) -> UnitRead:
    return UnitRead(id=unit.id, code=unit.code, name=unit.name, kind=unit.kind, parent_code=unit.parent_code,
                    status=unit.status, created_at=unit.created_at, successor_code=unit.successor_code,
                    closed_on=unit.closed_on)


@router.post("/units", status_code=201, response_model=UnitRead)
async def create_unit(body: UnitCreate, request: Request,
                      principal: Annotated[Principal, Depends(allowed("unit.create"))]) -> UnitRead:
    """Register a unit (Organization Board or a service client)."""
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            unit = await service.create_unit(uow, data=body, actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("duplicate_unit_code", f"A unit with code {body.code} already exists",
                       f"Đã có đơn vị với mã {body.code}", field_name="code") from exc
    return _read(unit)


@router.get("/units", response_model=None)
async def list_units(request: Request, principal: Annotated[Principal, Depends(allowed("unit.read"))],
                     q: Annotated[str | None, Query(max_length=200)] = None,
                     format: Literal["json", "xlsx", "csv"] = "json") -> list[UnitRead] | Response:
    """Units, in Vietnamese order; ``q`` matches names ignoring diacritics and case."""
    async with ctx_of(request).read_sessions() as session:
        query = select(Unit)
        if q:
            query = query.where(Unit.name_folded.contains(fold(q)) | Unit.code.contains(q.upper()))
        units = (await session.execute(query)).scalars().all()
    visible = [_read(u) for u in sorted(units, key=lambda u: sort_key(u.name)) if principal.covers_unit(u.code)]
    if format != "json":
        cols = ("code", "name", "kind", "parent_code", "status", "successor_code", "closed_on")
        return table_response(format, "units", cols, ([getattr(u, c) for c in cols] for u in visible))
    return visible


def _reorg(r: UnitReorganisation) -> ReorganisationRead:
    return ReorganisationRead(id=r.id, kind=r.kind, source_codes=list(r.source_codes),
                              target_codes=list(r.target_codes), old_name=r.old_name, new_name=r.new_name,
                              effective_date=r.effective_date, decision_ref=r.decision_ref,
                              officials_moved=r.officials_moved)


@router.post("/units/reorganisations", status_code=201, response_model=ReorganisationRead)
async def reorganise_units(body: ReorganisationCreate, request: Request,
                           principal: Annotated[Principal, Depends(allowed("unit.reorganise"))]) -> ReorganisationRead:
    """Merge, split, rename or close units from an effective date; officials move, history stays readable."""
    for code in [*body.sources, *(t.code for t in body.targets), *([body.move_to] if body.move_to else [])]:
        authorize(principal, "unit.reorganise", unit=code)
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            reorg = await reorganisation.reorganise(uow, data=body, actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("reorganisation_race", "Another change to these units happened at the same time; retry",
                       "Một thay đổi khác vừa xảy ra với các đơn vị này; vui lòng thử lại") from exc
    return _reorg(reorg)


@router.get("/units/reorganisations", response_model=list[ReorganisationRead])
async def list_reorganisations(request: Request,
                               principal: Annotated[Principal, Depends(allowed("unit.read"))],
                               ) -> list[ReorganisationRead]:
    """Every reorganisation, oldest first."""
    async with ctx_of(request).read_sessions() as session:
        rows = (await session.execute(select(UnitReorganisation).order_by(
            UnitReorganisation.effective_date, UnitReorganisation.recorded_at))).scalars().all()
    return [_reorg(r) for r in rows]


@router.post("/units/import", response_model=ImportReport)
async def import_units(body: ImportBatch, request: Request,
                       principal: Annotated[Principal, Depends(allowed("unit.create"))]) -> ImportReport:
    """Import units (code, name, kind, parent_code): new codes created, known ones unchanged, bad rows reported."""
    try:
        async with unit_of_work(ctx_of(request)) as uow:
            return await imports.import_units(uow, rows=body.rows, actor=actor_of(principal))
    except IntegrityError as exc:
        raise conflict("import_race", "Another import recorded the same units at the same time; retry",
                       "Một lượt nhập khác vừa ghi cùng đơn vị; vui lòng thử lại") from exc


@router.get("/units/{code}/history")
async def unit_history(code: str, request: Request,
                       principal: Annotated[Principal, Depends(allowed("unit.read"))]) -> dict[str, Any]:
    """A unit's record, even after it was merged, split or closed: reorganisations, members over time, registrations."""
    if not principal.covers_unit(code):
        raise not_found("Unit", "đơn vị", code)
    async with ctx_of(request).read_sessions() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()
        if unit is None:
            raise not_found("Unit", "đơn vị", code)
        reorgs = [r for r in (await session.execute(select(UnitReorganisation).order_by(
            UnitReorganisation.effective_date))).scalars().all() if code in r.source_codes or code in r.target_codes]
        members = (await session.execute(select(OfficialUnitHistory, Official).join(
            Official, Official.id == OfficialUnitHistory.official_id).where(
            OfficialUnitHistory.unit_code == code))).all()
        regs = (await session.execute(select(Registration).where(Registration.unit_code == code))).scalars().all()
    return {"unit": _read(unit).model_dump(mode="json"),
            "reorganisations": [_reorg(r).model_dump(mode="json") for r in reorgs],
            "members": [{**summary(o, today=today()).model_dump(mode="json"), "valid_from": h.valid_from.isoformat(),
                         "valid_to": h.valid_to.isoformat() if h.valid_to else None, "reason": h.reason}
                        for h, o in members],
            "registrations": [read_registration(r).model_dump(mode="json") for r in regs]}


@router.get("/units/{code}", response_model=UnitRead)
async def get_unit(code: str, request: Request,
                   principal: Annotated[Principal, Depends(allowed("unit.read"))]) -> UnitRead:
    """One unit by its code."""
    async with ctx_of(request).read_sessions() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()
    if unit is None or not principal.covers_unit(unit.code):
        raise not_found("Unit", "đơn vị", code)
    return _read(unit)
