"""The class lifecycle's effects in scheduling: open and close enrolment, the below-target decision
(open anyway, extend, merge, cancel), start. Each is idempotent, so a retried activity changes nothing twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contracts.scheduling import (
    BelowTargetDecisionInput,
    BelowTargetOutcome,
    ClassTimeline,
    EnrolmentCheck,
    MergeOption,
)
from services.scheduling.domain.lifecycle import CANCELLED, ENROLLING, PLANNED, RUNNING, accepts_enrolment
from services.scheduling.domain.roster import ACTIVE, ENROLLED, SEAT_HOLDING, WAITLISTED
from services.scheduling.models import CourseClass
from services.scheduling.service.class_store import SYSTEM, class_ref, load_class, set_status, utcnow
from services.scheduling.service.classes import enrolments_of
from services.scheduling.service.enrolment import enrol, expire_offers
from shared.audit import Actor, AuditEntry
from shared.errors import Problem
from shared.metrics import ENROLMENTS
from shared.uow import UnitOfWork
from shared.vietnamese import sort_key_name


def timeline(cls: CourseClass) -> ClassTimeline:
    """The class's status and dates for the workflow."""
    return ClassTimeline(cls.id, cls.code, cls.programme_code, cls.status, cls.enrolment_deadline.isoformat(),
                         cls.start_date.isoformat(), cls.end_date.isoformat(),
                         close_requested=cls.close_requested_at is not None)


async def open_enrolment(uow: UnitOfWork, *, class_id: str, workflow_id: str, run_id: str) -> ClassTimeline:
    """planned → enrolling (nothing when already past planned)."""
    cls = await load_class(uow, class_id)
    if cls.status == PLANNED:
        set_status(cls, ENROLLING)
        uow.emit("ClassEnrolmentOpened", subject=cls.id, workflow_id=workflow_id, data={
            **class_ref(cls), "enrolment_deadline": cls.enrolment_deadline.isoformat(), "capacity": cls.capacity,
            "target": cls.target})
        uow.audit(AuditEntry(actor=SYSTEM, action="class.enrolment_open", subject=f"class:{cls.id}",
                             reason_vi=f"Mở chiêu sinh lớp {cls.code} đến hết ngày "
                                       f"{cls.enrolment_deadline.isoformat()}",
                             reason_en=f"Enrolment for class {cls.code} open until "
                                       f"{cls.enrolment_deadline.isoformat()}",
                             inputs={"class_id": cls.id}, workflow_id=workflow_id, run_id=run_id))
    return timeline(cls)


async def close_enrolment(uow: UnitOfWork, *, class_id: str, workflow_id: str, run_id: str) -> EnrolmentCheck:
    """At the deadline: expire lapsed offers, close enrolment, compare enrolled with the target."""
    await expire_offers(uow, class_id=class_id, actor=SYSTEM, workflow_id=workflow_id)
    cls = await load_class(uow, class_id)
    enrolled = len(await enrolments_of(uow.session, cls.id, frozenset({ENROLLED})))
    below = enrolled < cls.target
    cls.close_requested_at = None  # served: an extended round waits for its own deadline or a new request
    if cls.status == ENROLLING and not cls.enrolment_closed:
        cls.enrolment_closed = True
        uow.emit("ClassEnrolmentClosed", subject=cls.id, workflow_id=workflow_id, data={
            **class_ref(cls), "enrolled": enrolled, "target": cls.target, "capacity": cls.capacity,
            "below_target": below})
        uow.audit(AuditEntry(
            actor=SYSTEM, action="class.enrolment_close", subject=f"class:{cls.id}",
            reason_vi=f"Hết hạn chiêu sinh lớp {cls.code}: {enrolled}/{cls.target} học viên"
                      + (" — dưới chỉ tiêu, chờ Ban Tổ chức quyết định" if below else " — đạt chỉ tiêu"),
            reason_en=f"Enrolment for class {cls.code} closed: {enrolled}/{cls.target}"
                      + (" — below target, the Organization Board decides" if below else " — target met"),
            inputs={"enrolled": enrolled, "target": cls.target, "capacity": cls.capacity},
            workflow_id=workflow_id, run_id=run_id))
    waiting = await enrolments_of(uow.session, cls.id, frozenset({WAITLISTED}))
    return EnrolmentCheck(cls.id, cls.status, enrolled, cls.target, cls.capacity, below,
                          sorted((e.official_name for e in waiting), key=sort_key_name),
                          await merge_options(uow, cls) if below else [])


async def merge_options(uow: UnitOfWork, cls: CourseClass) -> list[MergeOption]:
    """The other classes of the programme still taking officials, with their seats left (earliest first)."""
    rows = await uow.session.execute(select(CourseClass).where(
        CourseClass.programme_code == cls.programme_code, CourseClass.id != cls.id,
        CourseClass.status.in_((PLANNED, ENROLLING))).order_by(CourseClass.start_date, CourseClass.code))
    out: list[MergeOption] = []
    for other in rows.scalars().all():
        held = len(await enrolments_of(uow.session, other.id, SEAT_HOLDING))
        if other.capacity > held:
            out.append(MergeOption(other.id, other.code, other.start_date.isoformat(), other.end_date.isoformat(),
                                   other.capacity - held))
    return out


async def request_close(uow: UnitOfWork, *, class_id: str, actor: Actor, reason: str) -> CourseClass:
    """The Organization Board closes enrolment early (the workflow is signalled by the caller)."""
    cls = await load_class(uow, class_id)
    if not accepts_enrolment(cls.status, cls.enrolment_closed):
        from shared.errors import conflict

        raise conflict("enrolment_closed", f"Enrolment for class {cls.code} is not open",
                       f"Lớp {cls.code} không đang chiêu sinh", field_name="class_id")
    cls.close_requested_at = utcnow()
    uow.audit(AuditEntry(actor=actor, action="class.enrolment_close_early", subject=f"class:{cls.id}",
                         reason_vi=f"Kết thúc chiêu sinh sớm lớp {cls.code}: {reason}",
                         reason_en=f"Enrolment for class {cls.code} closed early: {reason}",
                         inputs={"reason": reason}, workflow_id=cls.workflow_id))
    return cls


def _actor(inp: BelowTargetDecisionInput) -> Actor:
    return Actor(user_id=inp.actor_id, role=inp.actor_role, on_behalf_of=inp.on_behalf_of)


async def _cancel(uow: UnitOfWork, cls: CourseClass, *, inp: BelowTargetDecisionInput,
                  merged_into: CourseClass | None) -> None:
    for e in await enrolments_of(uow.session, cls.id, ACTIVE):
        e.status, e.updated_at = "cancelled", utcnow()
        ENROLMENTS.labels("cancelled").inc()
    set_status(cls, CANCELLED)
    cls.merged_into = merged_into.id if merged_into else None
    uow.emit("ClassCancelled", subject=cls.id, workflow_id=inp.workflow_id, data={
        **class_ref(cls), "reason": inp.comment, "merged_into": merged_into.id if merged_into else None,
        "merged_into_code": merged_into.code if merged_into else None})


async def _merge(uow: UnitOfWork, cls: CourseClass, inp: BelowTargetDecisionInput) -> BelowTargetOutcome | None:
    target = await uow.session.get(CourseClass, inp.target_class_id or "")
    why = None
    if target is None or target.id == cls.id:
        why = ("The merge target is not another existing class", "Lớp được gộp vào không tồn tại hoặc trùng lớp này")
    elif target.programme_code != cls.programme_code:
        why = (f"Class {target.code} runs another programme", f"Lớp {target.code} thuộc chương trình khác")
    elif not accepts_enrolment(target.status, target.enrolment_closed) and target.status != ENROLLING:
        why = (f"Class {target.code} no longer takes enrolments", f"Lớp {target.code} không còn nhận học viên")
    if why:
        return BelowTargetOutcome(cls.id, False, cls.status, cls.enrolment_deadline.isoformat(), *why)
    assert target is not None
    people = await enrolments_of(uow.session, cls.id, ACTIVE)
    await _cancel(uow, cls, inp=inp, merged_into=target)
    await uow.session.flush()
    reopen = target.enrolment_closed
    target.enrolment_closed = False
    moved, refused = [], []
    for e in people:
        try:
            async with uow.session.begin_nested():
                await enrol(uow, class_id=target.id, official_id=e.official_id, official_name=e.official_name,
                            unit_code=e.unit_code, source="merge", source_ref=cls.id, actor=_actor(inp),
                            workflow_id=inp.workflow_id)
            moved.append(e.official_id)
        except Problem:
            refused.append(e.official_id)
    target.enrolment_closed = reopen
    uow.emit("ClassMerged", subject=cls.id, workflow_id=inp.workflow_id, data={
        **class_ref(cls), "into_class_id": target.id, "into_class_code": target.code, "moved": len(moved),
        "not_moved": len(refused)})
    return None


async def apply_below_target_decision(uow: UnitOfWork, *, inp: BelowTargetDecisionInput) -> BelowTargetOutcome:
    """Apply the Organization Board's decision; a repeated decision (same ref) changes nothing."""
    cls = await load_class(uow, inp.class_id)
    if cls.decision_ref == inp.decision_ref:
        return BelowTargetOutcome(cls.id, True, cls.status, cls.enrolment_deadline.isoformat())
    if cls.status != ENROLLING:
        return BelowTargetOutcome(cls.id, False, cls.status, cls.enrolment_deadline.isoformat(),
                                  f"The class is {cls.status}", f"Lớp đang ở trạng thái {cls.status}")
    enrolled = len(await enrolments_of(uow.session, cls.id, frozenset({ENROLLED})))
    if inp.action == "open_anyway":
        uow.emit("ClassOpenedBelowTarget", subject=cls.id, workflow_id=inp.workflow_id, data={
            **class_ref(cls), "enrolled": enrolled, "target": cls.target, "comment": inp.comment})
        vi, en = (f"Mở lớp {cls.code} dù dưới chỉ tiêu ({enrolled}/{cls.target})",
                  f"Class {cls.code} opened below target ({enrolled}/{cls.target})")
    elif inp.action == "extend":
        days = int(inp.days or 0)
        cls.enrolment_deadline += timedelta(days=days)
        cls.enrolment_closed = False
        uow.emit("ClassEnrolmentExtended", subject=cls.id, workflow_id=inp.workflow_id, data={
            **class_ref(cls), "days": days, "enrolment_deadline": cls.enrolment_deadline.isoformat()})
        vi, en = (f"Gia hạn chiêu sinh lớp {cls.code} thêm {days} ngày, đến {cls.enrolment_deadline.isoformat()}",
                  f"Enrolment for class {cls.code} extended by {days} days to {cls.enrolment_deadline.isoformat()}")
    elif inp.action == "merge":
        refused = await _merge(uow, cls, inp)
        if refused is not None:
            return refused
        vi, en = f"Gộp lớp {cls.code} vào lớp khác", f"Class {cls.code} merged into {inp.target_class_id}"
    else:
        await _cancel(uow, cls, inp=inp, merged_into=None)
        vi, en = f"Hủy lớp {cls.code} do dưới chỉ tiêu", f"Class {cls.code} cancelled below target"
    cls.decision_ref = inp.decision_ref
    uow.audit(AuditEntry(
        actor=_actor(inp), action=f"class.below_target.{inp.action}", subject=f"class:{cls.id}",
        reason_vi=vi + (f": {inp.comment}" if inp.comment else ""),
        reason_en=en + (f": {inp.comment}" if inp.comment else ""),
        inputs={"action": inp.action, "days": inp.days, "target_class_id": inp.target_class_id,
                "enrolled": enrolled, "target": cls.target, "decision_ref": inp.decision_ref},
        workflow_id=inp.workflow_id, run_id=inp.run_id))
    return BelowTargetOutcome(cls.id, True, cls.status, cls.enrolment_deadline.isoformat())


async def start_class(uow: UnitOfWork, *, class_id: str, workflow_id: str, run_id: str) -> ClassTimeline:
    """enrolling → running at the start date (nothing when already running or later)."""
    cls = await load_class(uow, class_id)
    if cls.status == ENROLLING:
        set_status(cls, RUNNING)
        cls.enrolment_closed = True
        people = await enrolments_of(uow.session, cls.id, frozenset({ENROLLED}))
        uow.emit("ClassStarted", subject=cls.id, workflow_id=workflow_id, data={
            **class_ref(cls), "start_date": cls.start_date.isoformat(), "participants": len(people)})
        uow.audit(AuditEntry(actor=SYSTEM, action="class.start", subject=f"class:{cls.id}",
                             reason_vi=f"Khai giảng lớp {cls.code} với {len(people)} học viên",
                             reason_en=f"Class {cls.code} started with {len(people)} participants",
                             inputs={"participants": len(people)}, workflow_id=workflow_id, run_id=run_id))
    return timeline(cls)

