"""Scheduling's own tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.tables import define_infra_tables

metadata = MetaData()
INFRA = define_infra_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class KnownUnit(Base):
    """A unit as scheduling knows it (from registration's events), for quota allocations."""

    __tablename__ = "known_units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    source_event_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Programme(Base):
    """A training programme's stable code; its content lives in effective-dated versions."""

    __tablename__ = "programmes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))


class ProgrammeVersion(Base):
    """What a programme is from ``effective_from`` to ``effective_to`` (inclusive; open-ended when null)."""

    __tablename__ = "programme_versions"
    __table_args__ = (UniqueConstraint("programme_code", "version_no", name="uq_programme_version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)  # the English switch's name, when given
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    category: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(20))
    hours: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(300))
    target_criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Plan(Base):
    """An annual training plan (e.g. Kế hoạch 159-KH/TU)."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("number", "year", name="uq_plan_number_year"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    # the date the plan dispatches its trainees: registrations under the plan are checked by the rules in force then
    dispatch_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    adopted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    adopted_by: Mapped[str] = mapped_column(String(120))


class PlanItem(Base):
    """A programme × quota line of a plan; postgraduate lines carry priority fields."""

    __tablename__ = "plan_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"))
    quota: Mapped[int] = mapped_column(Integer)
    priority_fields: Mapped[list[str]] = mapped_column(JSON)


class PlanAllocation(Base):
    """A unit's share of a plan item's quota."""

    __tablename__ = "plan_allocations"

    item_id: Mapped[str] = mapped_column(ForeignKey("plan_items.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    quota: Mapped[int] = mapped_column(Integer)


class CourseClass(Base):
    """A class (lớp): a programme run by an institution over dates, with capacity and an enrolment target."""

    __tablename__ = "classes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programmes.code"), index=True)
    programme_version_id: Mapped[str] = mapped_column(ForeignKey("programme_versions.id"))
    plan_item_id: Mapped[str | None] = mapped_column(ForeignKey("plan_items.id"), nullable=True)
    institution: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(300))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    enrolment_deadline: Mapped[date] = mapped_column(Date)
    enrolment_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # the Board asked to close enrolment early; kept until the lifecycle closes it, so a request made before the
    # workflow runs (its signal finds no workflow yet) is not lost
    close_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    offer_days: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(20), index=True)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSON)
    merged_into: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decision_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    workflow_id: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ClassSession(Base):
    """One session of a class's timetable."""

    __tablename__ = "class_sessions"
    __table_args__ = (UniqueConstraint("class_id", "seq", name="uq_session_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    topic: Mapped[str] = mapped_column(String(300))


class Enrolment(Base):
    """A person's place in a class (enrolled, offered, waitlisted, withdrawn …) and, at the end, the result."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "official_id", name="uq_enrolment_person"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id"), index=True)
    official_id: Mapped[str] = mapped_column(String(64), index=True)
    official_name: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    marks: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    certificate_no: Mapped[str | None] = mapped_column(String(60), nullable=True, unique=True)


class Attendance(Base):
    """Whether a participant attended a session."""

    __tablename__ = "attendance"

    session_id: Mapped[str] = mapped_column(ForeignKey("class_sessions.id"), primary_key=True)
    enrolment_id: Mapped[str] = mapped_column(ForeignKey("enrolments.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(120))


class EnrolmentRequest(Base):
    """An approved registration (or selected candidate) waiting to be placed in a class."""

    __tablename__ = "enrolment_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_event_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    official_id: Mapped[str] = mapped_column(String(64), index=True)
    official_name: Mapped[str] = mapped_column(String(300))
    unit_code: Mapped[str] = mapped_column(String(40))
    programme_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    plan_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    class_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason_en: Mapped[str] = mapped_column(String(500), default="")
    reason_vi: Mapped[str] = mapped_column(String(500), default="")
    enrolment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CertificateCounter(Base):
    """The last certificate number issued in a year."""

    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
