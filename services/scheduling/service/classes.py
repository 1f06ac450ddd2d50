"""Classes: scheduling one (with its timetable and evaluation framework) and reading rosters and timetables."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.scheduling import class_lifecycle_id
from services.scheduling.domain.lifecycle import PLANNED
from services.scheduling.domain.roster import ACTIVE, OFFERED, SEAT_HOLDING, WAITLISTED
from services.scheduling.domain.scoring import framework_problems
from services.scheduling.models import ClassSession, CourseClass, Enrolment, PlanItem
from services.scheduling.schemas import ClassCreate
from services.scheduling.service.class_store import utcnow
from services.scheduling.service.programmes import in_force, versions_of
from shared.audit import Actor, AuditEntry
from shared.errors import FieldError, Problem, conflict
from shared.metrics import CLASS_TRANSITIONS
from shared.uow import UnitOfWork


def lifecycle_id(class_id: str) -> str:
    """The class's lifecycle workflow id (one per class: starting it twice starts nothing new)."""
    return class_lifecycle_id(class_id)


def _problems(data: ClassCreate) -> list[FieldError]:
    out = []
    if data.end_date < data.start_date:
        out.append(FieldError("end_date", "ends_before_start", "The class ends before it starts",
                              "Lớp kết thúc trước khi bắt đầu"))
    if data.target > data.capacity:
        out.append(FieldError("target", "target_above_capacity", "The enrolment target is above the capacity",
                              "Chỉ tiêu chiêu sinh vượt quá sức chứa"))
    if data.enrolment_deadline > data.start_date:
        out.append(FieldError("enrolment_deadline", "deadline_after_start",
                              "The enrolment deadline is after the start", "Hạn ghi danh sau ngày khai giảng"))
    for i, s in enumerate(data.sessions):
        if not data.start_date <= s.day <= data.end_date:
            out.append(FieldError(f"sessions.{i}.day", "session_outside_class",
                                  "The session is outside the class dates", "Buổi học nằm ngoài thời gian của lớp"))
    crit = [(c.name, c.weight) for c in data.evaluation.criteria]
    for field_name, en, vi in framework_problems(crit, data.evaluation.pass_mark, data.evaluation.min_attendance):
        out.append(FieldError(field_name, "bad_evaluation", en, vi))
    return out


def _invalid(errors: list[FieldError]) -> Problem:
    return Problem(422, "validation_failed", "The request is not valid", "Yêu cầu không hợp lệ",
                   "; ".join(f"{e.field}: {e.message_en}" for e in errors),
                   "; ".join(f"{e.field}: {e.message_vi}" for e in errors), errors)


async def schedule_class(uow: UnitOfWork, *, data: ClassCreate, actor: Actor) -> CourseClass:
    """Schedule a class (status planned) with its timetable; ClassScheduled, committed with it, starts its
    lifecycle workflow (workflows.starters)."""
    errors = _problems(data)
    version = in_force(await versions_of(uow.session, data.programme_code), data.start_date)
    if version is None:
        errors.append(FieldError("programme_code", "no_programme_in_force",
                                 f"No version of programme {data.programme_code} is in force on the start date",
                                 f"Chương trình {data.programme_code} không có phiên bản hiệu lực vào ngày khai giảng"))
    if data.plan_item_id is not None:
        item = await uow.session.get(PlanItem, data.plan_item_id)
        if item is None or item.programme_code != data.programme_code:
            errors.append(FieldError("plan_item_id", "unknown_plan_item",
                                     "No plan item of this programme has that id",
                                     "Không có mục kế hoạch nào của chương trình này với mã đó"))
    if errors:
        raise _invalid(errors)
    assert version is not None
    if (await uow.session.execute(select(CourseClass.id).where(CourseClass.code == data.code))).first():
        raise conflict("duplicate_class_code", f"A class with code {data.code} already exists",
                       f"Đã có lớp với mã {data.code}", field_name="code")
    cls = CourseClass(
        id=str(uuid.uuid4()), code=data.code, programme_code=data.programme_code, programme_version_id=version.id,
        plan_item_id=data.plan_item_id, institution=data.institution, venue=data.venue, start_date=data.start_date,
        end_date=data.end_date, capacity=data.capacity, target=data.target,
        enrolment_deadline=data.enrolment_deadline, enrolment_closed=False, offer_days=data.offer_days,
        status=PLANNED, evaluation=data.evaluation.model_dump(mode="json"), merged_into=None, workflow_id="",
        created_at=utcnow(), created_by=actor.user_id)
    cls.workflow_id = lifecycle_id(cls.id)
    uow.session.add(cls)
    await uow.session.flush()
    for i, s in enumerate(sorted(data.sessions, key=lambda s: s.day)):
        uow.session.add(ClassSession(id=str(uuid.uuid4()), class_id=cls.id, seq=i + 1, day=s.day, hours=s.hours,
                                     topic=s.topic))
    await uow.session.flush()
    CLASS_TRANSITIONS.labels(PLANNED).inc()
    uow.emit("ClassScheduled", subject=cls.id, workflow_id=cls.workflow_id, data={
        "class_id": cls.id, "class_code": cls.code, "programme_code": cls.programme_code,
        "institution": cls.institution, "start_date": cls.start_date.isoformat(),
        "end_date": cls.end_date.isoformat(), "capacity": cls.capacity, "target": cls.target,
        "enrolment_deadline": cls.enrolment_deadline.isoformat(), "sessions": len(data.sessions)})
    uow.audit(AuditEntry(actor=actor, action="class.schedule", subject=f"class:{cls.id}",
                         reason_vi=f"Mở lớp {cls.code} ({version.name})",
                         reason_en=f"Class {cls.code} scheduled", inputs=data.model_dump(mode="json"),
                         workflow_id=cls.workflow_id))
    return cls


def class_doc(cls: CourseClass, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """A class as the API returns it."""
    doc: dict[str, Any] = {
        "id": cls.id, "code": cls.code, "programme_code": cls.programme_code, "plan_item_id": cls.plan_item_id,
        "institution": cls.institution, "venue": cls.venue, "start_date": cls.start_date.isoformat(),
        "end_date": cls.end_date.isoformat(), "status": cls.status, "capacity": cls.capacity, "target": cls.target,
        "enrolment_deadline": cls.enrolment_deadline.isoformat(), "enrolment_closed": cls.enrolment_closed,
        "offer_days": cls.offer_days, "evaluation": cls.evaluation, "merged_into": cls.merged_into,
        "workflow_id": cls.workflow_id}
    if counts is not None:
        doc.update(counts)
    return doc


async def seat_counts(session: AsyncSession, class_id: str) -> dict[str, int]:
    """Enrolled, offered and waitlisted numbers."""
    rows = (await session.execute(select(Enrolment.status).where(Enrolment.class_id == class_id))).scalars().all()
    return {"enrolled": sum(1 for s in rows if s in SEAT_HOLDING and s != OFFERED),
            "offered": sum(1 for s in rows if s == OFFERED),
            "waitlisted": sum(1 for s in rows if s == WAITLISTED)}


async def sessions_of(session: AsyncSession, class_id: str) -> list[ClassSession]:
    """A class's timetable in order."""
    rows = await session.execute(select(ClassSession).where(ClassSession.class_id == class_id)
                                 .order_by(ClassSession.seq))
    return list(rows.scalars().all())


async def class_read(session: AsyncSession, cls: CourseClass) -> dict[str, Any]:
    """One class as GET /classes/{id} returns it: its seat counts, and its timetable's sessions and hours (hours
    null while it has no session), which registration carries to the reviewer of a registration for it."""
    sessions = await sessions_of(session, cls.id)
    return {**class_doc(cls, await seat_counts(session, cls.id)),
            "hours": sum(s.hours for s in sessions) if sessions else None, "sessions": len(sessions)}


async def enrolments_of(session: AsyncSession, class_id: str, statuses: frozenset[str] = ACTIVE) -> list[Enrolment]:
    """A class's enrolments with the given statuses, in order of arrival."""
    rows = await session.execute(select(Enrolment).where(Enrolment.class_id == class_id,
                                                         Enrolment.status.in_(statuses)).order_by(Enrolment.seq))
    return list(rows.scalars().all())


def enrolment_doc(e: Enrolment) -> dict[str, Any]:
    """An enrolment as the API returns it."""
    return {"id": e.id, "class_id": e.class_id, "official_id": e.official_id, "official_name": e.official_name,
            "unit_code": e.unit_code, "seq": e.seq, "status": e.status, "source": e.source,
            "offer_expires_at": e.offer_expires_at.isoformat() if e.offer_expires_at else None,
            "score": e.score, "result": e.result, "hours": e.hours, "certificate_no": e.certificate_no}
