"""Classes: scheduling, reading (roster, waitlist, timetable), closing enrolment, attendance and results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from contracts.scheduling import CLOSE_ENROLMENT_SIGNAL, RESULTS_RECORDED_SIGNAL
from services.scheduling.deps import signal_lifecycle, write
from services.scheduling.domain.roster import OFFERED, SEAT_HOLDING, WAITLISTED
from services.scheduling.models import CourseClass
from services.scheduling.schemas import AttendanceIn, ClassCreate, ReasonIn, ResultsIn
from services.scheduling.service import classes, lifecycle, results
from shared.actors import actor_of
from shared.auth import Principal
from shared.authz import allowed, visible_units
from shared.context import ctx_of
from shared.errors import not_found
from shared.uow import unit_of_work
from shared.vietnamese import sort_key_name

router = APIRouter(tags=["classes"])
Reader = Annotated[Principal, Depends(allowed("catalogue.read"))]
EnrolmentReader = Annotated[Principal, Depends(allowed("enrolment.read"))]


async def _class(request: Request, class_id: str) -> CourseClass:
    async with ctx_of(request).read_sessions() as session:
        found = await session.get(CourseClass, class_id)
    if found is None:
        raise not_found("Class", "lớp", class_id)
    return found


@router.post("/classes", status_code=201)
async def schedule_class(body: ClassCreate, request: Request,
                         principal: Annotated[Principal, Depends(allowed("class.write"))]) -> dict[str, Any]:
    """Schedule a class; its lifecycle workflow is started from the ClassScheduled event committed with it."""
    async with write(request, race_field="code", race_en=f"A class with code {body.code} already exists",
                     race_vi=f"Đã có lớp với mã {body.code}") as uow:
        cls = await classes.schedule_class(uow, data=body, actor=actor_of(principal))
    return classes.class_doc(cls)


@router.get("/classes")
async def list_classes(request: Request, _: Reader,
                       programme_code: Annotated[str | None, Query(max_length=40)] = None,
                       status: Annotated[str | None, Query(max_length=20)] = None,
                       year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[dict[str, Any]]:
    """Classes, by start date."""
    async with ctx_of(request).read_sessions() as session:
        query = select(CourseClass).order_by(CourseClass.start_date, CourseClass.code)
        if programme_code:
            query = query.where(CourseClass.programme_code == programme_code)
        if status:
            query = query.where(CourseClass.status == status)
        rows = (await session.execute(query)).scalars().all()
        return [classes.class_doc(c, await classes.seat_counts(session, c.id)) for c in rows
                if year is None or c.start_date.year == year]


@router.get("/classes/{class_id}")
async def get_class(class_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One class with its seat counts and its timetable's hours (null while it has no session)."""
    cls = await _class(request, class_id)
    async with ctx_of(request).read_sessions() as session:
        return await classes.class_read(session, cls)


def _in(units: list[str] | None, unit_code: str | None) -> bool:
    return units is None or unit_code in units


@router.get("/classes/{class_id}/roster")
async def roster(class_id: str, request: Request, principal: EnrolmentReader) -> list[dict[str, Any]]:
    """Participants holding a seat (enrolled, or offered and not yet accepted), in Vietnamese name order; a unit
    officer sees those of their own units only (the scope of registration's lists)."""
    units = visible_units(principal, "enrolment.read")
    cls = await _class(request, class_id)
    async with ctx_of(request).read_sessions() as session:
        rows = await classes.enrolments_of(session, cls.id, SEAT_HOLDING | frozenset({"completed"}))
    return [classes.enrolment_doc(e) for e in sorted(rows, key=lambda e: sort_key_name(e.official_name or "-"))
            if _in(units, e.unit_code)]


@router.get("/classes/{class_id}/waitlist")
async def waitlist(class_id: str, request: Request, principal: EnrolmentReader) -> list[dict[str, Any]]:
    """The waitlist in order of arrival (each place's position in the whole list), then outstanding offers with
    their deadlines; a unit officer sees those of their own units only."""
    units = visible_units(principal, "enrolment.read")
    cls = await _class(request, class_id)
    async with ctx_of(request).read_sessions() as session:
        waiting = await classes.enrolments_of(session, cls.id, frozenset({WAITLISTED}))
        offered = await classes.enrolments_of(session, cls.id, frozenset({OFFERED}))
    return [{**classes.enrolment_doc(e), "position": i + 1} for i, e in enumerate(waiting) if _in(units, e.unit_code)] \
        + [classes.enrolment_doc(e) for e in offered if _in(units, e.unit_code)]


@router.get("/classes/{class_id}/timetable")
async def timetable(class_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """The class's sessions in order."""
    cls = await _class(request, class_id)
    async with ctx_of(request).read_sessions() as session:
        sessions = await classes.sessions_of(session, cls.id)
    return {"class_id": cls.id, "class_code": cls.code, "start_date": cls.start_date.isoformat(),
            "end_date": cls.end_date.isoformat(), "venue": cls.venue,
            "sessions": [{"id": s.id, "seq": s.seq, "day": s.day.isoformat(), "hours": s.hours, "topic": s.topic}
                         for s in sessions], "total_hours": sum(s.hours for s in sessions)}


@router.post("/classes/{class_id}/close-enrolment", status_code=202)
async def close_enrolment(class_id: str, body: ReasonIn, request: Request,
                          principal: Annotated[Principal, Depends(allowed("class.decide"))]) -> dict[str, Any]:
    """Close enrolment before the deadline (Organization Board); the lifecycle then compares with the target."""
    async with unit_of_work(ctx_of(request)) as uow:
        cls = await lifecycle.request_close(uow, class_id=class_id, actor=actor_of(principal), reason=body.reason)
    return {"class_id": cls.id, "signalled": await signal_lifecycle(request, cls.id, CLOSE_ENROLMENT_SIGNAL)}


@router.post("/classes/{class_id}/attendance", status_code=201)
async def record_attendance(class_id: str, body: AttendanceIn, request: Request,
                            principal: Annotated[Principal, Depends(allowed("attendance.write"))]) -> dict[str, Any]:
    """Record a session's attendance (institution staff)."""
    async with write(request, race_field="session_id", race_en="Attendance was recorded at the same time",
                     race_vi="Điểm danh vừa được ghi đồng thời") as uow:
        present = await results.record_attendance(uow, class_id=class_id, data=body, actor=actor_of(principal))
    return {"class_id": class_id, "session_id": body.session_id, "present": present}


@router.post("/classes/{class_id}/results", status_code=201)
async def record_results(class_id: str, body: ResultsIn, request: Request,
                         principal: Annotated[Principal, Depends(allowed("attendance.write"))]) -> dict[str, Any]:
    """Record marks by the class's evaluation framework (institution staff); the lifecycle is told."""
    async with unit_of_work(ctx_of(request)) as uow:
        marked = await results.record_results(uow, class_id=class_id, data=body, actor=actor_of(principal))
        missing = await results.results_missing(uow, class_id=class_id)
    signalled = await signal_lifecycle(request, class_id, RESULTS_RECORDED_SIGNAL)
    return {"class_id": class_id, "marked": marked, "missing": missing, "signalled": signalled}
