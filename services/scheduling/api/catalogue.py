"""Programmes (effective-dated) and plans with quotas, allocations and progress."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from services.scheduling.adapters import policies
from services.scheduling.deps import write
from services.scheduling.domain import programme_rules
from services.scheduling.models import Plan, Programme
from services.scheduling.schemas import PlanCreate, ProgrammeCreate, ProgrammeVersionCreate
from services.scheduling.service import plans, programmes
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed
from shared.context import ctx_of
from shared.errors import not_found
from shared.vietnamese import fold, sort_key

router = APIRouter(tags=["programmes", "plans"])
Reader = Annotated[Principal, Depends(allowed("catalogue.read"))]


@router.post("/programmes", status_code=201)
async def create_programme(body: ProgrammeCreate, request: Request,
                           principal: Annotated[Principal, Depends(allowed("programme.write"))]) -> dict[str, Any]:
    """Define a programme with its first version (Organization Board)."""
    async with write(request, race_field="code", race_en=f"Programme {body.code} already exists",
                     race_vi=f"Đã có chương trình mã {body.code}") as uow:
        version = await programmes.create_programme(uow, data=body, actor=actor_of(principal))
    return programmes.as_dict(version)


@router.post("/programmes/{code}/versions", status_code=201)
async def add_programme_version(code: str, body: ProgrammeVersionCreate, request: Request,
                                principal: Annotated[Principal, Depends(allowed("programme.write"))]
                                ) -> dict[str, Any]:
    """A new version of a programme from a date on."""
    async with write(request, race_field="effective_from", race_en="A version was added at the same time",
                     race_vi="Một phiên bản khác vừa được thêm") as uow:
        version = await programmes.add_version(uow, code=code, data=body, actor=actor_of(principal))
    return programmes.as_dict(version)


@router.get("/programmes")
async def list_programmes(request: Request, _: Reader, on: date | None = None,
                          category: Annotated[str | None, Query(max_length=60)] = None,
                          q: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """Programmes in force on a day (today by default), in Vietnamese order; ``q`` ignores diacritics."""
    day = on or date.today()
    async with ctx_of(request).read_sessions() as session:
        codes = (await session.execute(select(Programme.code))).scalars().all()
        found = [programmes.in_force(await programmes.versions_of(session, c), day) for c in codes]
    out = [v for v in found if v is not None and (not category or v.category == category)
           and (not q or fold(q) in v.name_folded or q.upper() in v.programme_code)]
    return [programmes.as_dict(v) for v in sorted(out, key=lambda v: sort_key(v.name))]


@router.get("/programmes/standard")
async def standard_programmes(_: Reader, on: date | None = None) -> list[dict[str, Any]]:
    """Programmes a rule defines (defence and security groups 1–4 with their periods), as in force on a day."""
    return programme_rules.standard_programmes(policies.in_force("defence_security_periods", on or date.today()))


@router.get("/programmes/{code}")
async def get_programme(code: str, request: Request, _: Reader, on: date | None = None) -> dict[str, Any]:
    """A programme as in force on a day (today by default), with all its versions."""
    async with ctx_of(request).read_sessions() as session:
        versions = await programmes.versions_of(session, code)
    if not versions:
        raise not_found("Programme", "chương trình", code)
    current = programmes.in_force(versions, on or date.today()) or versions[-1]
    return {**programmes.as_dict(current), "versions": [programmes.as_dict(v) for v in versions]}


@router.post("/plans", status_code=201)
async def adopt_plan(body: PlanCreate, request: Request,
                     principal: Annotated[Principal, Depends(allowed("plan.write"))]) -> dict[str, Any]:
    """Adopt an annual plan with its quotas and per-unit allocations."""
    async with write(request, race_field="number", race_en=f"Plan {body.number} of {body.year} already exists",
                     race_vi=f"Đã có kế hoạch {body.number} năm {body.year}") as uow:
        plan = await plans.adopt_plan(uow, data=body, actor=actor_of(principal))
        doc = await plans.plan_doc(uow.session, plan)
    return doc


@router.get("/plans")
async def list_plans(request: Request, _: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
                     ) -> list[dict[str, Any]]:
    """Plans, optionally of one year."""
    async with ctx_of(request).read_sessions() as session:
        query = select(Plan).order_by(Plan.year, Plan.number)
        if year is not None:
            query = query.where(Plan.year == year)
        return [await plans.plan_doc(session, p) for p in (await session.execute(query)).scalars().all()]


@router.get("/plans/{plan_id}")
async def get_plan(plan_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One plan."""
    async with ctx_of(request).read_sessions() as session:
        return await plans.plan_doc(session, await plans.get_plan(session, plan_id))


@router.get("/plans/{plan_id}/progress")
async def plan_progress(plan_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """Plan against actual per item and per unit, counted from enrolments."""
    async with ctx_of(request).read_sessions() as session:
        return await plans.plan_progress(session, plan_id=plan_id)
