"""Enrolment: capacity, the waitlist in order of arrival, offers with a deadline, no overlapping classes.

The seat rules are the pure ``Roster`` (domain/roster.py); this module loads a class's enrolments under the
class's lock, asks the roster, and writes back every change with its event and audit record.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from services.scheduling.domain.lifecycle import CANCELLED, COMPLETED, accepts_enrolment
from services.scheduling.domain.overlap import Span, first_overlap
from services.scheduling.domain.roster import ACTIVE, Change, Entry, Roster, RosterError
from services.scheduling.models import CourseClass, Enrolment
from services.scheduling.service.class_store import aware, class_ref, load_class, roster_problem, utcnow
from shared.audit import Actor, AuditEntry
from shared.errors import Problem, conflict, not_found
from shared.metrics import ENROLMENTS
from shared.uow import UnitOfWork

_EVENT = {"enrolled": "ParticipantEnrolled", "waitlisted": "ParticipantWaitlisted", "offered": "WaitlistPromoted",
          "withdrawn": "ParticipantWithdrawn", "declined": "WaitlistOfferLapsed", "expired": "WaitlistOfferLapsed",
          "cancelled": "ParticipantWithdrawn"}
_REASON = {
    "enrolled": ("Ghi danh vào lớp {c}", "Enrolled in class {c}"),
    "waitlisted": ("Lớp {c} đã đủ chỗ: đưa vào danh sách chờ", "Class {c} is full: waitlisted"),
    "offered": ("Có chỗ trống ở lớp {c}: mời theo thứ tự danh sách chờ", "A seat freed in class {c}: offered in "
                                                                        "waitlist order"),
    "withdrawn": ("Rút khỏi lớp {c}", "Withdrawn from class {c}"),
    "declined": ("Từ chối chỗ được mời ở lớp {c}", "Declined the offered seat in class {c}"),
    "expired": ("Hết hạn nhận chỗ ở lớp {c}", "The offer of a seat in class {c} expired"),
    "cancelled": ("Lớp {c} bị hủy", "Class {c} cancelled"),
}


def _roster(cls: CourseClass, rows: list[Enrolment]) -> Roster:
    return Roster.of(cls.capacity, [Entry(r.id, r.seq, r.status, aware(r.offer_expires_at)) for r in rows],
                     timedelta(days=cls.offer_days))


async def _all_rows(uow: UnitOfWork, class_id: str) -> dict[str, Enrolment]:
    rows = (await uow.session.execute(select(Enrolment).where(Enrolment.class_id == class_id))).scalars().all()
    return {r.id: r for r in rows}


async def apply_changes(uow: UnitOfWork, *, cls: CourseClass, roster: Roster, rows: dict[str, Enrolment],
                        changes: list[Change], actor: Actor, comment: str = "", workflow_id: str | None = None) -> None:
    """Write the roster's changes: row, event and audit record for each."""
    now = utcnow()
    for ch in changes:
        row = rows[ch.entry_id]
        row.status, row.seq, row.offer_expires_at, row.updated_at = ch.new, roster.entries[ch.entry_id].seq, \
            ch.offer_expires_at, now
        ENROLMENTS.labels(ch.new).inc()
        data = {**class_ref(cls), "enrolment_id": row.id, "official_id": row.official_id, "unit_code": row.unit_code,
                "status": ch.new, "previous_status": ch.old, "seq": row.seq, "source": row.source,
                "offer_expires_at": ch.offer_expires_at.isoformat() if ch.offer_expires_at else None}
        uow.emit(_EVENT[ch.new], subject=cls.id, data=data, workflow_id=workflow_id)
        vi, en = _REASON[ch.new]
        await uow.audit(AuditEntry(
            actor=actor, action=f"enrolment.{ch.new}", subject=f"enrolment:{row.id}",
            reason_vi=vi.format(c=cls.code) + (f": {comment}" if comment else ""),
            reason_en=en.format(c=cls.code) + (f": {comment}" if comment else ""),
            inputs={"class_id": cls.id, "official_id": row.official_id, "previous_status": ch.old,
                    "seq": row.seq, "capacity": cls.capacity, "held_after": roster.held(),
                    "offer_expires_at": data["offer_expires_at"]}, workflow_id=workflow_id))
    await uow.session.flush()


async def _check_overlap(uow: UnitOfWork, cls: CourseClass, official_id: str) -> None:
    rows = (await uow.session.execute(
        select(CourseClass.id, CourseClass.code, CourseClass.start_date, CourseClass.end_date)
        .join(Enrolment, Enrolment.class_id == CourseClass.id)
        .where(Enrolment.official_id == official_id, Enrolment.status.in_(ACTIVE),
               CourseClass.status.not_in((CANCELLED, COMPLETED))))).all()
    other = first_overlap(Span(cls.id, cls.code, cls.start_date, cls.end_date),
                          [Span(r.id, r.code, r.start_date, r.end_date) for r in rows])
    if other is not None:
        problem = conflict(
            "overlapping_class",
            f"This person is already in class {other.class_code} ({other.start.isoformat()} – {other.end.isoformat()}),"
            " whose dates overlap", f"Người này đã có trong lớp {other.class_code} ({other.start.isoformat()} – "
            f"{other.end.isoformat()}) trùng thời gian", field_name="official_id")
        problem.extra["other_class"] = {"id": other.class_id, "code": other.class_code}
        raise problem


async def enrol(uow: UnitOfWork, *, class_id: str, official_id: str, official_name: str, unit_code: str,
                source: str, actor: Actor, source_ref: str | None = None, workflow_id: str | None = None,
                class_field: str = "class_id") -> Enrolment:
    """Enrol a person: a seat if one is free and nobody waits ahead, else the waitlist."""
    cls = await load_class(uow, class_id, field_name=class_field if class_field != "path" else None)
    if not accepts_enrolment(cls.status, cls.enrolment_closed):
        raise conflict("enrolment_closed", f"Class {cls.code} no longer takes enrolments ({cls.status})",
                       f"Lớp {cls.code} không còn nhận ghi danh ({cls.status})", field_name=class_field)
    rows = await _all_rows(uow, cls.id)
    existing = next((r for r in rows.values() if r.official_id == official_id), None)
    if existing is not None and existing.status in ACTIVE:
        raise conflict("already_enrolled", f"This person is already {existing.status} in class {cls.code}",
                       f"Người này đã có trong lớp {cls.code} ({existing.status})", field_name="official_id")
    await _check_overlap(uow, cls, official_id)
    now = utcnow()
    if existing is None:
        existing = Enrolment(id=str(uuid.uuid4()), class_id=cls.id, official_id=official_id,
                             official_name=official_name, unit_code=unit_code, seq=0, status="new", source=source,
                             source_ref=source_ref, created_at=now, updated_at=now)
        uow.session.add(existing)
        await uow.session.flush()
    else:
        existing.source, existing.source_ref, existing.unit_code = source, source_ref, unit_code
        existing.official_name = official_name or existing.official_name
    rows[existing.id] = existing
    roster = _roster(cls, [r for r in rows.values() if r.id != existing.id])
    try:
        changes = roster.expire(now) + roster.add(existing.id, now)
    except RosterError as exc:
        raise roster_problem(exc) from exc
    await apply_changes(uow, cls=cls, roster=roster, rows=rows, changes=changes, actor=actor, workflow_id=workflow_id)
    return existing


async def _load_enrolment(uow: UnitOfWork, enrolment_id: str) -> Enrolment:
    row = await uow.session.get(Enrolment, enrolment_id)
    if row is None:
        raise not_found("Enrolment", "ghi danh", enrolment_id)
    return row


async def change_enrolment(uow: UnitOfWork, *, enrolment_id: str, action: str, actor: Actor,
                           comment: str = "") -> Enrolment:
    """Withdraw, accept an offer or decline it; a freed seat goes to the next in line."""
    row = await _load_enrolment(uow, enrolment_id)
    cls = await load_class(uow, row.class_id)
    if cls.status in (CANCELLED, COMPLETED):
        raise conflict("class_closed", f"Class {cls.code} is {cls.status}", f"Lớp {cls.code} đã {cls.status}",
                       field_name="enrolment_id")
    rows = await _all_rows(uow, cls.id)
    roster, now = _roster(cls, list(rows.values())), utcnow()
    try:
        if action == "withdraw":
            changes = roster.withdraw(row.id, now)
        elif action == "accept":
            changes = roster.accept(row.id, now)
        else:
            changes = roster.decline(row.id, now)
    except RosterError as exc:
        raise roster_problem(exc, "enrolment_id") from exc
    await apply_changes(uow, cls=cls, roster=roster, rows=rows, changes=changes, actor=actor, comment=comment)
    return rows[row.id]


async def expire_offers(uow: UnitOfWork, *, class_id: str, actor: Actor, workflow_id: str | None = None) -> int:
    """Expire offers past their deadline and pass their seats on; returns the number of changes."""
    cls = await load_class(uow, class_id)
    rows = await _all_rows(uow, cls.id)
    roster = _roster(cls, list(rows.values()))
    changes = roster.expire(utcnow())
    await apply_changes(uow, cls=cls, roster=roster, rows=rows, changes=changes, actor=actor, workflow_id=workflow_id)
    return len(changes)


def refusal_text(exc: Problem) -> tuple[str, str]:
    """A refusal's reason in English and Vietnamese, for a pending request."""
    return (exc.detail_en or exc.title_en)[:500], (exc.detail_vi or exc.title_vi)[:500]
