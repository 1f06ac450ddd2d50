"""Cadre planning on the official's record: QĐ 377-QĐ/TW limits, removal by discipline, structure targets."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registration.adapters.policies import in_force
from services.registration.models import Official
from services.registration.schemas import OfficialCreate
from shared.cadre_planning import (
    apply_discipline,
    in_planning_on,
    limit_violations,
    position_key,
    structure,
)
from shared.errors import FieldError
from shared.retirement import BirthDate, age_on


def planning_of(data: OfficialCreate) -> list[dict[str, Any]]:
    """The planning entries to store: discipline of the rule's level or heavier removes an entry for its term."""
    entries = data.model_dump(mode="json")["planning"]
    return apply_discipline(entries, [(d.date, d.level) for d in data.discipline],
                            lambda day: in_force("planning_limits", day))


async def planning_errors(session: AsyncSession, data: OfficialCreate, *, today: date) -> list[FieldError]:
    """The planning limits (QĐ 377-QĐ/TW): people per position, positions per person at one level."""
    if not data.planning:
        return []
    rows = (await session.execute(select(Official.unit_code, Official.planning).where(
        Official.status == "active", Official.personal_id != data.personal_id.strip()))).all()
    others: Counter[tuple[str, str, str]] = Counter()
    for unit_code, planning in rows:
        others.update({position_key(e, unit_code) for e in planning or [] if not e.get("removed_on")})
    found = limit_violations(planning_of(data), unit_code=data.unit_code, others=others,
                             policy_on=lambda day: in_force("planning_limits", day or today))
    return [FieldError(f"planning.{i}", code, en, vi) for i, code, vi, en in found]


async def planning_structure(session: AsyncSession, *, on: date) -> dict[str, Any]:
    """Young and women shares of the people in planning on `on`, against the targets of the rule in force."""
    rows = (await session.execute(select(Official).where(Official.status == "active"))).scalars().all()
    people = [(age_on(BirthDate(o.birth_year, o.birth_month, o.birth_day), on), o.gender)
              for o in rows if in_planning_on(o.planning or [], on)]
    return {"on": on.isoformat(), **structure(people, in_force("planning_limits", on))}
