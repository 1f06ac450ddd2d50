"""Scheduling's own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, String
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
