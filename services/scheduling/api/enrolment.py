"""Enrolment by the Organization Board, withdrawal and offers, each official's classes, pending requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from services.scheduling.deps import write
from services.scheduling.models import CourseClass, Enrolment, EnrolmentRequest
from services.scheduling.schemas import BulkEnrolmentCreate, EnrolmentCreate, PlaceRequest, ReasonIn
from services.scheduling.service import classes, enrolment, requests
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, authorize, held_elsewhere, visible_units
from shared.context import ctx_of

router = APIRouter(tags=["enrolment"])
Writer = Annotated[Principal, Depends(allowed("enrolment.write"))]


@router.post("/classes/{class_id}/enrolments", status_code=201)
async def enrol(class_id: str, body: EnrolmentCreate, request: Request, principal: Writer) -> dict[str, Any]:
    """Enrol a person: a seat while there is one, else the waitlist; overlapping classes are refused."""
    authorize(principal, "enrolment.write", unit=body.unit_code)
    async with write(request, race_field="official_id", race_en="This person was enrolled at the same time",
                     race_vi="Người này vừa được ghi danh đồng thời") as uow:
        row = await enrolment.enrol(uow, class_id=class_id, official_id=body.official_id,
                                    official_name=body.official_name, unit_code=body.unit_code, source="board",
                                    actor=actor_of(principal), class_field="path")
    return classes.enrolment_doc(row)


@router.post("/classes/{class_id}/enrolments/bulk")
async def enrol_many(class_id: str, body: BulkEnrolmentCreate, request: Request,
                     principal: Writer) -> dict[str, Any]:
    """Enrol several people in one transaction; each one refused for a reason of their own is listed with it."""
    for person in body.people:
        authorize(principal, "enrolment.write", unit=person.unit_code)
    async with write(request, race_field="people", race_en="These people were enrolled at the same time",
                     race_vi="Những người này vừa được ghi danh đồng thời") as uow:
        done, refused = await enrolment.enrol_many(
            uow, class_id=class_id, source="board", actor=actor_of(principal),
            people=[(p.official_id, p.official_name, p.unit_code) for p in body.people])
    return {"enrolled": [classes.enrolment_doc(row) for row in done],
            "refused": [{"official_id": oid, "official_name": name, "code": exc.code,
                         "detail_en": exc.detail_en or exc.title_en, "detail_vi": exc.detail_vi or exc.title_vi}
                        for oid, name, exc in refused]}


async def _change(request: Request, enrolment_id: str, action: str, principal: Principal,
                  comment: str) -> dict[str, Any]:
    async with ctx_of(request).read_sessions() as session:
        unit_code = (await session.execute(select(Enrolment.unit_code).where(
            Enrolment.id == enrolment_id))).scalar_one_or_none()
    if unit_code is not None and not principal.covers_unit(unit_code):
        raise held_elsewhere()
    async with write(request, race_field="enrolment_id", race_en="The enrolment changed at the same time",
                     race_vi="Ghi danh vừa thay đổi đồng thời") as uow:
        row = await enrolment.change_enrolment(uow, enrolment_id=enrolment_id, action=action,
                                               actor=actor_of(principal), comment=comment)
    return classes.enrolment_doc(row)


@router.post("/enrolments/{enrolment_id}/withdraw")
async def withdraw(enrolment_id: str, body: ReasonIn, request: Request, principal: Writer) -> dict[str, Any]:
    """Withdraw a participant; the freed seat is offered to the first on the waitlist."""
    return await _change(request, enrolment_id, "withdraw", principal, body.reason)


@router.post("/enrolments/{enrolment_id}/accept")
async def accept(enrolment_id: str, request: Request, principal: Writer) -> dict[str, Any]:
    """Accept an offered seat before its deadline."""
    return await _change(request, enrolment_id, "accept", principal, "")


@router.post("/enrolments/{enrolment_id}/decline")
async def decline(enrolment_id: str, body: ReasonIn, request: Request, principal: Writer) -> dict[str, Any]:
    """Decline an offered seat; it goes to the next in line."""
    return await _change(request, enrolment_id, "decline", principal, body.reason)


@router.get("/officials/{official_id}/classes")
async def official_classes(official_id: str, request: Request,
                           principal: Annotated[Principal, Depends(allowed("enrolment.read"))]) -> list[dict[str, Any]]:
    """A person's enrolments and waitlist places, with the classes' dates and status (a unit officer: those
    made for their own units only)."""
    units = visible_units(principal, "enrolment.read")
    query = (select(Enrolment, CourseClass).join(CourseClass, CourseClass.id == Enrolment.class_id)
             .where(Enrolment.official_id == official_id).order_by(CourseClass.start_date))
    if units is not None:
        query = query.where(Enrolment.unit_code.in_(units))
    async with ctx_of(request).read_sessions() as session:
        rows = (await session.execute(query)).all()
    return [{**classes.enrolment_doc(e), "enrolment_status": e.status,
             "class": {"id": c.id, "code": c.code, "programme_code": c.programme_code, "institution": c.institution,
                       "start_date": c.start_date.isoformat(), "end_date": c.end_date.isoformat(),
                       "status": c.status}} for e, c in rows]


@router.get("/enrolment-requests")
async def list_requests(request: Request, principal: Writer,
                        programme_code: Annotated[str | None, Query(max_length=40)] = None,
                        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                        status: Annotated[str | None, Query(pattern="^(pending|placed)$")] = None
                        ) -> list[dict[str, Any]]:
    """Enrolment requests from approved registrations and selections (of the caller's units), oldest first."""
    units = visible_units(principal, "enrolment.write")
    async with ctx_of(request).read_sessions() as session:
        rows = await requests.list_requests(session, programme_code=programme_code, year=year, status=status)
    return [requests.request_doc(r) for r in rows if units is None or r.unit_code in units]


@router.post("/enrolment-requests/{request_id}/place")
async def place(request_id: str, body: PlaceRequest, request: Request, principal: Writer) -> dict[str, Any]:
    """Place a pending request in a class (Organization Board)."""
    async with ctx_of(request).read_sessions() as session:
        pending = await session.get(EnrolmentRequest, request_id)
    if pending is not None and not principal.covers_unit(pending.unit_code):
        raise held_elsewhere()
    async with write(request, race_field="class_id", race_en="This person was enrolled at the same time",
                     race_vi="Người này vừa được ghi danh đồng thời") as uow:
        req = await requests.place_request(uow, request_id=request_id, class_id=body.class_id,
                                           actor=actor_of(principal))
    return requests.request_doc(req)
