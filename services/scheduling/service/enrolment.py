"""Enrolment: capacity, the waitlist in order of arrival, offers with a deadline, no overlapping classes.

The seat rules are the pure ``Roster`` (domain/roster.py); this module loads a class's enrolments under the
class's lock, asks the roster, and writes back every change with its event and audit record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

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
        uow.audit(AuditEntry(
            actor=actor, action=f"enrolment.{ch.new}", subject=f"enrolment:{row.id}",
            reason_vi=vi.format(c=cls.code) + (f": {comment}" if comment else ""),
            reason_en=en.format(c=cls.code) + (f": {comment}" if comment else ""),
            inputs={"class_id": cls.id, "official_id": row.official_id, "previous_status": ch.old,
                    "seq": row.seq, "capacity": cls.capacity, "held_after": roster.held(),
                    "offer_expires_at": data["offer_expires_at"]}, workflow_id=workflow_id))
    await uow.session.flush()


async def _open_class(uow: UnitOfWork, class_id: str, class_field: str | None) -> CourseClass:
    """The class, locked, refused when it no longer takes enrolments (``class_field`` names the field in errors)."""
    cls = await load_class(uow, class_id, field_name=class_field if class_field != "path" else None)
    if not accepts_enrolment(cls.status, cls.enrolment_closed):
        raise conflict("enrolment_closed", f"Class {cls.code} no longer takes enrolments ({cls.status})",
                       f"Lớp {cls.code} không còn nhận ghi danh ({cls.status})", field_name=class_field)
    return cls


async def _spans_of(uow: UnitOfWork, official_ids: list[str]) -> dict[str, list[Span]]:
    """Each person's active places in classes still to run or running, for the overlap check."""
    rows = (await uow.session.execute(
        select(Enrolment.official_id, CourseClass.id, CourseClass.code, CourseClass.start_date, CourseClass.end_date)
        .join(Enrolment, Enrolment.class_id == CourseClass.id)
        .where(Enrolment.official_id.in_(official_ids), Enrolment.status.in_(ACTIVE),
               CourseClass.status.not_in((CANCELLED, COMPLETED))))).all()
    spans: dict[str, list[Span]] = {}
    for r in rows:
        spans.setdefault(r.official_id, []).append(Span(r.id, r.code, r.start_date, r.end_date))
    return spans


def _overlap_problem(other: Span) -> Problem:
    problem = conflict(
        "overlapping_class",
        f"This person is already in class {other.class_code} ({other.start.isoformat()} – {other.end.isoformat()}),"
        " whose dates overlap", f"Người này đã có trong lớp {other.class_code} ({other.start.isoformat()} – "
        f"{other.end.isoformat()}) trùng thời gian", field_name="official_id")
    problem.extra["other_class"] = {"id": other.class_id, "code": other.class_code}
    return problem


@dataclass
class _Seating:
    """One class's roster being filled in one transaction: read once under the class's lock, lapsed offers
    expired first; ``changes`` collects every change to write."""

    cls: CourseClass
    rows: dict[str, Enrolment]
    by_person: dict[str, Enrolment]
    roster: Roster
    spans: dict[str, list[Span]]
    now: datetime
    changes: list[Change]

    @classmethod
    async def of(cls, uow: UnitOfWork, course: CourseClass, official_ids: list[str]) -> _Seating:
        rows = await _all_rows(uow, course.id)
        roster, now = _roster(course, list(rows.values())), utcnow()
        return cls(course, rows, {r.official_id: r for r in rows.values()}, roster,
                   await _spans_of(uow, sorted(set(official_ids))), now, roster.expire(now))

    def refusal(self, official_id: str) -> Problem | None:
        """Why this person cannot have a place: already in this class, or in a class whose dates overlap."""
        row, cls = self.by_person.get(official_id), self.cls
        if row is not None and (status := self.roster.entries[row.id].status) in ACTIVE:
            return conflict("already_enrolled", f"This person is already {status} in class {cls.code}",
                            f"Người này đã có trong lớp {cls.code} ({status})", field_name="official_id")
        other = first_overlap(Span(cls.id, cls.code, cls.start_date, cls.end_date), self.spans.get(official_id, []))
        return _overlap_problem(other) if other is not None else None

    def place(self, uow: UnitOfWork, official_id: str, official_name: str, unit_code: str, *, source: str,
              source_ref: str | None) -> Enrolment:
        """Give a person not refused a seat or the end of the waitlist: their row is created, or reused."""
        row = self.by_person.get(official_id)
        if row is None:
            row = Enrolment(id=str(uuid.uuid4()), class_id=self.cls.id, official_id=official_id,
                            official_name=official_name, unit_code=unit_code, seq=0, status="new", source=source,
                            source_ref=source_ref, created_at=self.now, updated_at=self.now)
            uow.session.add(row)
            self.rows[row.id], self.by_person[official_id] = row, row
        else:
            row.source, row.source_ref, row.unit_code = source, source_ref, unit_code
            row.official_name = official_name or row.official_name
            self.roster.entries.pop(row.id)
        try:
            self.changes += self.roster.add(row.id, self.now)
        except RosterError as exc:
            raise roster_problem(exc) from exc
        return row

    async def write(self, uow: UnitOfWork, actor: Actor, workflow_id: str | None) -> None:
        await uow.session.flush()
        await apply_changes(uow, cls=self.cls, roster=self.roster, rows=self.rows, changes=self.changes,
                            actor=actor, workflow_id=workflow_id)


async def enrol(uow: UnitOfWork, *, class_id: str, official_id: str, official_name: str, unit_code: str,
                source: str, actor: Actor, source_ref: str | None = None, workflow_id: str | None = None,
                class_field: str = "class_id") -> Enrolment:
    """Enrol a person: a seat if one is free and nobody waits ahead, else the waitlist.

    The same steps as ``enrol_many`` for one person, except that a refusal is raised and nothing is written."""
    seating = await _Seating.of(uow, await _open_class(uow, class_id, class_field), [official_id])
    refusal = seating.refusal(official_id)
    if refusal is not None:
        raise refusal
    row = seating.place(uow, official_id, official_name, unit_code, source=source, source_ref=source_ref)
    await seating.write(uow, actor, workflow_id)
    return row


async def enrol_many(uow: UnitOfWork, *, class_id: str, people: list[tuple[str, str, str]], source: str,
                     actor: Actor) -> tuple[list[Enrolment], list[tuple[str, str, Problem]]]:
    """Enrol several people in one class in one transaction, in the order given (seats first, then the waitlist),
    with the same rules as ``enrol``: the class and its roster are read once, under the class's lock.

    A person refused for a reason of their own (already in this class, or in a class whose dates overlap) is
    reported and skipped; the others commit with their events and audit records. A refusal of the class (closed,
    unknown) refuses the whole request. ``people`` holds (official_id, official_name, unit_code)."""
    seating = await _Seating.of(uow, await _open_class(uow, class_id, None), [p[0] for p in people])
    done: list[Enrolment] = []
    refused: list[tuple[str, str, Problem]] = []
    for official_id, official_name, unit_code in people:
        refusal = seating.refusal(official_id)
        if refusal is not None:
            refused.append((official_id, official_name, refusal))
            continue
        done.append(seating.place(uow, official_id, official_name, unit_code, source=source, source_ref=None))
    await seating.write(uow, actor, None)
    return done, refused


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
