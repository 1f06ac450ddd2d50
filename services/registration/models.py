"""Registration's own tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.tables import define_infra_tables

metadata = MetaData()
INFRA = define_infra_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Unit(Base):
    """A unit (agency, district, commune) whose officials Cadreflow trains."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    successor_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class UnitReorganisation(Base):
    """A merge, split, rename or closure of units, effective on a date (history is never rewritten)."""

    __tablename__ = "unit_reorganisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # merge | split | rename | close
    source_codes: Mapped[list[str]] = mapped_column(JSON)
    target_codes: Mapped[list[str]] = mapped_column(JSON)
    old_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    new_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    effective_date: Mapped[date] = mapped_column(Date)
    decision_ref: Mapped[str] = mapped_column(String(120))
    officials_moved: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(120))


class Official(Base):
    """A cadre, civil servant or public employee: the dossier (secret; reads are recorded)."""

    __tablename__ = "officials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    gender: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    birth_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    category: Mapped[str] = mapped_column(String(20))
    position: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # the management level of the position held (domain/positions.py): the rules by position read it
    position_level: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    civil_service_rank: Mapped[str | None] = mapped_column(String(120), nullable=True)
    education: Mapped[str | None] = mapped_column(String(20), nullable=True)
    political_theory: Mapped[str] = mapped_column(String(20), default="none")
    party_join_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    service_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    ratings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    planning: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    discipline: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfficialUnitHistory(Base):
    """Which unit an official belonged to, from when to when (kept across reorganisations)."""

    __tablename__ = "official_unit_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(36), index=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(60))


class DossierRead(Base):
    """Who read which official's dossier, and when (Decree 27/2026)."""

    __tablename__ = "dossier_reads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(36), index=True)
    reader_id: Mapped[str] = mapped_column(String(120), index=True)
    reader_roles: Mapped[str] = mapped_column(String(300))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Registration(Base):
    """A training-need registration of one official for a programme and plan year (optionally a class)."""

    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(36), index=True)
    official_name: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(String(40), index=True)  # the unit at submission (kept)
    programme_code: Mapped[str] = mapped_column(String(60))
    programme_category: Mapped[str] = mapped_column(String(60))
    plan_year: Mapped[int] = mapped_column(Integer, index=True)
    class_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    class_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    class_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # accepted | under_review | approved | refused | returned
    # set while the registration is active; NULL once refused or returned: one active registration per key
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(120))
    # the date the rules were evaluated on: the plan's dispatch date, or the submission date when it sets none
    rule_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    rule_date_source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the body that manages the official (policy data management_authority) and the rule that named it
    # ("<version_id>#<rule id>"); NULL on rows recorded before the rule was kept
    managing_body: Mapped[str | None] = mapped_column(String(40), nullable=True)
    authority_rule: Mapped[str | None] = mapped_column(String(200), nullable=True)


class TrainingRecord(Base):
    """One completed class in an official's training record (from scheduling's ClassCompleted)."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("official_id", "class_id", name="uq_training_record_class"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(36), index=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    class_id: Mapped[str] = mapped_column(String(60))
    class_code: Mapped[str] = mapped_column(String(60))
    programme_code: Mapped[str] = mapped_column(String(60))
    programme_category: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    result: Mapped[str] = mapped_column(String(20))
    certificate_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    source_event_id: Mapped[str] = mapped_column(String(64))


class PostgraduateDispatch(Base):
    """An official dispatched to postgraduate education, the service commitment owed, and any refund."""

    __tablename__ = "postgraduate_dispatches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    official_id: Mapped[str] = mapped_column(String(36), index=True)
    programme_code: Mapped[str] = mapped_column(String(60))
    dispatched_on: Mapped[date] = mapped_column(Date)
    training_months: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(BigInteger)  # đồng
    commitment_months: Mapped[int] = mapped_column(Integer)  # T1
    policy_version: Mapped[str] = mapped_column(String(120))  # the rule in force at dispatch
    returned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    served_months: Mapped[int | None] = mapped_column(Integer, nullable=True)  # T2
    refund: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # đồng
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the body that manages the official (policy data management_authority) and the rule that named it
    # ("<version_id>#<rule id>"); NULL on rows recorded before the rule was kept
    managing_body: Mapped[str | None] = mapped_column(String(40), nullable=True)
    authority_rule: Mapped[str | None] = mapped_column(String(200), nullable=True)
