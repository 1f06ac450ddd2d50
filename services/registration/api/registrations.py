"""Training-need registration routes, conflicts and compliance."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registration.adapters.export import table_response
from services.registration.deps import catalogue_of, scope_units, today
from services.registration.models import Registration
from services.registration.schemas import (
    FindingRead,
    RegistrationCheckRead,
    RegistrationCreate,
    RegistrationRead,
)
from services.registration.service import registrations, reports
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, authorize
from shared.context import ctx_of
from shared.errors import not_found
from shared.logging import get_logger
from shared.metrics import REGISTRATIONS
from shared.uow import unit_of_work

router = APIRouter(tags=["registrations"])
log = get_logger(__name__)


@router.post("/registrations", status_code=201, response_model=RegistrationRead)
async def submit_registration(body: RegistrationCreate, request: Request,
                              principal: Annotated[Principal, Depends(allowed("registration.submit"))],
                              ) -> RegistrationRead:
    """Register an official of the caller's own unit; every check runs and the outcome is decided now."""
    ctx = ctx_of(request)
    async with ctx.read_sessions() as session:
        official = await registrations.load_official(session, str(body.official_id))
    authorize(principal, "registration.submit", unit=official.unit_code)
    facts = await registrations.gather_catalogue(catalogue_of(request), body, names=True)
    try:
        async with unit_of_work(ctx) as uow:
            # the row lock makes a person's concurrent submissions take turns: the second sees the first
            official = await registrations.load_official(uow.session, str(body.official_id), lock=True)
            reg = await registrations.submit(uow, data=body, official=official, facts=facts,
                                             actor=actor_of(principal), today=today())
    except IntegrityError as exc:
        key = registrations.active_key(str(body.official_id), body.programme_code, body.plan_year, body.class_id)
        async with ctx.read_sessions() as session:
            existing = (await session.execute(select(Registration.id).where(
                Registration.active_key == key))).scalar_one_or_none()
        raise registrations.duplicate_submission(existing or "") from exc
    outcome = registrations.OUTCOME_OF_STATUS[reg.status]
    REGISTRATIONS.labels(outcome).inc()
    log.info("registration_submitted", registration_id=reg.id, unit=reg.unit_code, outcome=outcome)
    return registrations.read(reg)


@router.post("/registrations/check", response_model=RegistrationCheckRead)
async def check_registration(body: RegistrationCreate, request: Request,
                             principal: Annotated[Principal, Depends(allowed("registration.submit"))],
                             ) -> RegistrationCheckRead:
    """Every check a submission would get, in words, before submitting: the same rules on the same date, read-only
    (no registration, no event, no audit record; a duplicate is reported, not refused)."""
    ctx = ctx_of(request)
    async with ctx.read_sessions() as session:
        official = await registrations.load_official(session, str(body.official_id))
        authorize(principal, "registration.submit", unit=official.unit_code)
        facts = await registrations.gather_catalogue(catalogue_of(request), body)
        ev = await registrations.evaluate(session, data=body, official=official, facts=facts, today=today())
    log.info("registration_checked", unit=official.unit_code, outcome=ev.outcome)
    return RegistrationCheckRead(
        official_id=official.id, official_name=official.full_name, unit_code=official.unit_code,
        programme_code=facts.programme.code, programme_title=facts.programme.name,
        plan_year=body.plan_year, class_id=body.class_id,
        outcome="duplicate" if ev.duplicate_of else ev.outcome,
        findings=[FindingRead(**f.as_dict()) for f in ev.findings], policy_version=ev.policy.version_id,
        rule_date=ev.on, rule_date_source=ev.on_source, duplicate_registration_id=ev.duplicate_of)


@router.get("/registrations", response_model=None)
async def list_registrations(
    request: Request, principal: Annotated[Principal, Depends(allowed("registration.read"))],
    unit: Annotated[str | None, Query(pattern=r"^[A-Z0-9_-]{2,40}$")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Literal["accepted", "under_review", "approved", "refused", "returned"] | None = None,
    format: Literal["json", "xlsx", "csv"] = "json",
) -> list[RegistrationRead] | Response:
    """Registrations (of the caller's units), newest first; kept under the unit they were submitted from."""
    units = scope_units(principal, unit)
    query = select(Registration).where(*registrations.registration_filters(unit=None, year=year, status=status))
    if units is not None:
        query = query.where(Registration.unit_code.in_(units))
    async with ctx_of(request).read_sessions() as session:
        rows = (await session.execute(query.order_by(Registration.submitted_at.desc()).limit(5000))).scalars().all()
    out = [registrations.read(r) for r in rows]
    if format != "json":
        cols = ("id", "official_name", "unit_code", "programme_code", "plan_year", "class_id", "status", "outcome")
        return table_response(format, "registrations", cols, ([getattr(r, c) for c in cols] for r in out))
    return out


@router.get("/registrations/{registration_id}", response_model=RegistrationRead)
async def get_registration(registration_id: UUID, request: Request,
                           principal: Annotated[Principal, Depends(allowed("registration.read"))],
                           ) -> RegistrationRead:
    """One registration with its findings."""
    async with ctx_of(request).read_sessions() as session:
        reg = await session.get(Registration, str(registration_id))
    if reg is None or not principal.covers_unit(reg.unit_code):
        raise not_found("Registration", "đăng ký", registration_id)
    return registrations.read(reg)


@router.get("/conflicts", response_model=None)
async def get_conflicts(request: Request, principal: Annotated[Principal, Depends(allowed("conflict.read"))],
                        year: Annotated[int, Query(ge=2000, le=2100)],
                        format: Literal["json", "xlsx", "csv"] = "json") -> dict[str, Any] | Response:
    """Everyone registered in overlapping classes and every duplicate registration, across all units."""
    async with ctx_of(request).read_sessions() as session:
        found = await reports.conflicts(session, year=year, today=today())
    if format != "json":
        rows = [("time_overlap", c["official_name"], r["unit_code"], r["programme_code"], r["class_id"],
                 r["class_start"], r["class_end"]) for c in found["overlaps"] for r in c["registrations"]]
        rows += [("duplicate", c["official_name"], r["unit_code"], r["programme_code"], r["class_id"],
                  r["class_start"], r["class_end"]) for c in found["duplicates"] for r in c["registrations"]]
        return table_response(format, "conflicts", ("kind", "official_name", "unit_code", "programme_code", "class_id",
                                           "class_start", "class_end"), rows)
    return found


@router.get("/compliance", response_model=None)
async def get_compliance(request: Request, principal: Annotated[Principal, Depends(allowed("compliance.read"))],
                         year: Annotated[int, Query(ge=2000, le=2100)],
                         unit: Annotated[str | None, Query(pattern=r"^[A-Z0-9_-]{2,40}$")] = None,
                         format: Literal["json", "xlsx", "csv"] = "json") -> dict[str, Any] | Response:
    """Per-unit share of officials trained in the year, and who is not yet trained (the yearly obligation)."""
    units = scope_units(principal, unit)
    async with ctx_of(request).read_sessions() as session:
        found = await reports.compliance(session, year=year, units=units, today=today())
    if format != "json":
        cols = ("unit_code", "unit_name", "officials", "trained", "percentage", "compliant")
        return table_response(format, "compliance", cols, ([u[c] for c in cols] for u in found["units"]))
    return found
