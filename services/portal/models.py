"""Portal's own tables."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.tables import define_infra_tables

metadata = MetaData()
INFRA = define_infra_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
