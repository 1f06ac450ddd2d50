"""Attendance per session, marks by the class's evaluation framework, numbered certificates, ClassCompleted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.scheduling.domain.lifecycle import COMPLETED, RUNNING
from services.scheduling.domain.roster import ENROLLED
from services.scheduling.domain.scoring import PASSED, Criterion, Framework, score
from services.scheduling.domain.training_year import training_year
from services.scheduling.models import Attendance, CertificateCounter, CourseClass, Plan, PlanItem, ProgrammeVersion
from services.scheduling.schemas import AttendanceIn, ResultsIn
from services.scheduling.service.class_store import class_ref, load_class, set_status, utcnow
from services.scheduling.service.classes import enrolments_of, sessions_of
from shared.audit import Actor, AuditEntry
from shared.errors import conflict, invalid
from shared.uow import UnitOfWork

PARTICIPATING = frozenset({ENROLLED})


def framework_of(cls: CourseClass) -> Framework:
    """The class's evaluation framework."""
    ev = cls.evaluation
    return Framework(tuple(Criterion(c["name"], Decimal(str(c["weight"]))) for c in ev["criteria"]),
                     Decimal(str(ev.get("pass_mark", 5))), Decimal(str(ev.get("min_attendance", "0.8"))))


def _require_running(cls: CourseClass) -> None:
    if cls.status != RUNNING:
        raise conflict("class_not_running", f"Class {cls.code} is {cls.status}, not running",
                       f"Lớp {cls.code} đang ở trạng thái {cls.status}, chưa học", field_name="class_id")


async def record_attendance(uow: UnitOfWork, *, class_id: str, data: AttendanceIn, actor: Actor) -> int:
    """Record who attended a session (the others enrolled are absent); returns how many were present."""
    cls = await load_class(uow, class_id)
    sessions = {s.id: s for s in await sessions_of(uow.session, cls.id)}
    if data.session_id not in sessions:
        raise invalid("session_id", "unknown_session", f"Class {cls.code} has no session {data.session_id}",
                      f"Lớp {cls.code} không có buổi học {data.session_id}")
    _require_running(cls)
    people = {e.official_id: e for e in await enrolments_of(uow.session, cls.id, PARTICIPATING)}
    strangers = [p for p in data.present if p not in people]
    if strangers:
        raise invalid("present", "not_enrolled", f"Not enrolled in this class: {', '.join(strangers)}",
                      f"Không có trong danh sách lớp: {', '.join(strangers)}")
    now, present = utcnow(), set(data.present)
    recorded = {a.enrolment_id: a for a in (await uow.session.execute(select(Attendance).where(
        Attendance.session_id == data.session_id))).scalars()}  # one read, not one a person
    for official_id, e in people.items():
        row = recorded.get(e.id)
        if row is None:
            uow.session.add(Attendance(session_id=data.session_id, enrolment_id=e.id, present=official_id in present,
                                       recorded_at=now, recorded_by=actor.user_id))
        else:
            row.present, row.recorded_at, row.recorded_by = official_id in present, now, actor.user_id
    await uow.session.flush()
    s = sessions[data.session_id]
    uow.emit("AttendanceRecorded", subject=cls.id, workflow_id=cls.workflow_id, data={
        **class_ref(cls), "session_id": s.id, "session_seq": s.seq, "day": s.day.isoformat(),
        "present": len(present), "absent": len(people) - len(present)})
    uow.audit(AuditEntry(actor=actor, action="class.attendance", subject=f"class:{cls.id}",
                         reason_vi=f"Điểm danh buổi {s.seq} ngày {s.day.isoformat()} lớp {cls.code}",
                         reason_en=f"Attendance of session {s.seq} on {s.day.isoformat()}, class {cls.code}",
                         inputs=data.model_dump(mode="json"), workflow_id=cls.workflow_id))
    return len(present)


async def record_results(uow: UnitOfWork, *, class_id: str, data: ResultsIn, actor: Actor) -> int:
    """Record marks for the framework's scored criteria (0–10); returns how many participants were marked."""
    cls = await load_class(uow, class_id)
    _require_running(cls)
    fw = framework_of(cls)
    people = {e.official_id: e for e in await enrolments_of(uow.session, cls.id, PARTICIPATING)}
    for i, item in enumerate(data.results):
        if item.official_id not in people:
            raise invalid(f"results.{i}.official_id", "not_enrolled", f"{item.official_id} is not in this class",
                          f"{item.official_id} không có trong danh sách lớp")
        for name, mark in item.marks.items():
            if name not in fw.scored:
                raise invalid(f"results.{i}.marks.{name}", "unknown_criterion",
                              f"The framework has no scored criterion {name} (criteria: {', '.join(fw.scored)})",
                              f"Khung đánh giá không có tiêu chí {name} (các tiêu chí: {', '.join(fw.scored)})")
            if not Decimal(0) <= mark <= Decimal(10):
                raise invalid(f"results.{i}.marks.{name}", "mark_out_of_range", "A mark must be between 0 and 10",
                              "Điểm phải từ 0 đến 10")
    for item in data.results:
        e = people[item.official_id]
        e.marks = {**(e.marks or {}), **{k: str(v) for k, v in item.marks.items()}}
    await uow.session.flush()
    uow.emit("ResultsRecorded", subject=cls.id, workflow_id=cls.workflow_id, data={
        **class_ref(cls), "participants": len(data.results), "criteria": fw.scored})
    uow.audit(AuditEntry(actor=actor, action="class.results", subject=f"class:{cls.id}",
                         reason_vi=f"Nhập điểm lớp {cls.code} theo khung đánh giá",
                         reason_en=f"Marks recorded for class {cls.code} by its evaluation framework",
                         inputs=data.model_dump(mode="json"), workflow_id=cls.workflow_id))
    return len(data.results)


async def results_missing(uow: UnitOfWork, *, class_id: str) -> int:
    """How many participants still lack a mark for a scored criterion."""
    cls = await load_class(uow, class_id, lock=False)
    fw = framework_of(cls)
    people = await enrolments_of(uow.session, cls.id, PARTICIPATING)
    return sum(1 for e in people if any(n not in (e.marks or {}) for n in fw.scored))


async def _next_certificates(uow: UnitOfWork, year: int, count: int) -> list[str]:
    """The year's next ``count`` certificate numbers, taken under the counter's lock in one read (not a locked
    read and a flush per person)."""
    if count == 0:
        return []
    counter = await uow.session.get(CertificateCounter, year, with_for_update=True)
    if counter is None:
        counter = CertificateCounter(year=year, last=0)
        uow.session.add(counter)
    first, counter.last = counter.last + 1, counter.last + count
    return [f"CN-{year}-{n:05d}" for n in range(first, counter.last + 1)]


async def year_of(uow: UnitOfWork, cls: CourseClass) -> int:
    """The year the class's training counts for (its plan's, else its end date's)."""
    plan_year = None
    if cls.plan_item_id:
        item = await uow.session.get(PlanItem, cls.plan_item_id)
        plan = await uow.session.get(Plan, item.plan_id) if item is not None else None
        plan_year = plan.year if plan is not None else None
    return training_year(plan_year=plan_year, end_date=cls.end_date)


async def complete_class(uow: UnitOfWork, *, class_id: str, actor: Actor, workflow_id: str | None = None,
                         run_id: str | None = None) -> dict[str, Any]:
    """Score every participant, number the certificates of those who passed, and publish ClassCompleted."""
    cls = await load_class(uow, class_id)
    if cls.status == COMPLETED:
        return {"class_id": cls.id, "status": cls.status, "already": True}
    _require_running(cls)
    fw = framework_of(cls)
    version = await uow.session.get(ProgrammeVersion, cls.programme_version_id)
    assert version is not None
    sessions = await sessions_of(uow.session, cls.id)
    total_hours = sum(s.hours for s in sessions)
    participants, outcomes = [], {"passed": 0, "failed": 0, "incomplete": 0}
    present_at: dict[str, set[str]] = {}  # enrolment → the sessions attended, read in one query
    for enrolment_id, session_id in (await uow.session.execute(select(
            Attendance.enrolment_id, Attendance.session_id).where(
            Attendance.session_id.in_([s.id for s in sessions]), Attendance.present.is_(True)))).all():
        present_at.setdefault(enrolment_id, set()).add(session_id)
    scored = []
    for e in await enrolments_of(uow.session, cls.id, PARTICIPATING):
        present = present_at.get(e.id, set())
        attended = sum(s.hours for s in sessions if s.id in present)
        ratio = Decimal(str(attended / total_hours)) if total_hours else Decimal(1)
        hours = attended if sessions else float(version.hours)
        scored.append((e, hours, score(fw, {k: Decimal(v) for k, v in (e.marks or {}).items()}, ratio)))
    numbers = iter(await _next_certificates(uow, cls.end_date.year,
                                            sum(1 for _, _, out in scored if out.result == PASSED)))
    for e, hours, out in scored:
        e.score, e.result, e.hours = (float(out.score) if out.score is not None else None), out.result, hours
        if out.result == PASSED:
            e.certificate_no = next(numbers)
            uow.emit("CertificateIssued", subject=cls.id, workflow_id=workflow_id, data={
                **class_ref(cls), "enrolment_id": e.id, "official_id": e.official_id,
                "certificate_no": e.certificate_no, "score": e.score})
        e.status = "completed"
        outcomes[out.result] += 1
        participants.append({"official_id": e.official_id, "unit_code": e.unit_code, "hours": hours,
                             "result": out.result, "score": e.score, "certificate_no": e.certificate_no})
    set_status(cls, COMPLETED)
    cls.completed_at = utcnow()
    await uow.session.flush()
    uow.emit("ClassCompleted", subject=cls.id, workflow_id=workflow_id, data={
        "class_id": cls.id, "class_code": cls.code, "programme_code": cls.programme_code,
        "programme_category": version.category, "mode": version.mode, "year": await year_of(uow, cls),
        "start_date": cls.start_date.isoformat(), "end_date": cls.end_date.isoformat(),
        "institution": cls.institution, "participants": participants})
    uow.audit(AuditEntry(
        actor=actor, action="class.complete", subject=f"class:{cls.id}",
        reason_vi=f"Kết thúc lớp {cls.code}: {outcomes['passed']} đạt, {outcomes['failed']} không đạt, "
                  f"{outcomes['incomplete']} chưa hoàn thành",
        reason_en=f"Class {cls.code} completed: {outcomes['passed']} passed, {outcomes['failed']} failed, "
                  f"{outcomes['incomplete']} incomplete",
        inputs={"evaluation": cls.evaluation, "participants": participants, "total_hours": total_hours},
        workflow_id=workflow_id, run_id=run_id))
    return {"class_id": cls.id, "status": cls.status, "already": False, **outcomes}
