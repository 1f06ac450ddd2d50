"""Province-wide reads: conflicts (overlapping classes, duplicate registrations) and annual training compliance."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registration.domain.personal_id import mask
from services.registration.models import Official, Registration, TrainingRecord, Unit
from services.registration.policies import in_force
from shared.metrics import COMPLIANCE_RATIO, CONFLICTS_FOUND
from shared.policy import PolicyDataError
from shared.vietnamese import sort_key, sort_key_name


async def conflicts(session: AsyncSession, *, year: int, today: date) -> dict[str, Any]:
    """Everyone in overlapping classes, and every duplicate registration (same programme and year), all units."""
    active = list(in_force("registration_checks", today).param("active_statuses"))
    a, b = aliased(Registration), aliased(Registration)
    overlap_rows = (await session.execute(
        select(a, b).join(b, and_(a.official_id == b.official_id, a.id < b.id)).where(
            a.status.in_(active), b.status.in_(active), a.class_start.is_not(None), b.class_start.is_not(None),
            a.class_start <= b.class_end, b.class_start <= a.class_end,
            or_(a.plan_year == year, b.plan_year == year)))).all()
    overlaps: list[dict[str, Any]] = [{"official_id": x.official_id, "official_name": x.official_name,
                 "registrations": [_brief(x), _brief(y)]} for x, y in overlap_rows]
    dup_keys = (await session.execute(
        select(Registration.official_id, Registration.programme_code, func.count().label("n"))
        .where(Registration.plan_year == year, Registration.status.in_(active))
        .group_by(Registration.official_id, Registration.programme_code).having(func.count() > 1))).all()
    duplicates: list[dict[str, Any]] = []
    for official_id, programme_code, _ in dup_keys:
        regs = (await session.execute(select(Registration).where(
            Registration.official_id == official_id, Registration.programme_code == programme_code,
            Registration.plan_year == year, Registration.status.in_(active)))).scalars().all()
        duplicates.append({"official_id": official_id, "official_name": regs[0].official_name,
                           "programme_code": programme_code, "registrations": [_brief(r) for r in regs],
                           "units": sorted({r.unit_code for r in regs})})
    overlaps.sort(key=lambda c: sort_key_name(str(c["official_name"])))
    duplicates.sort(key=lambda c: sort_key_name(str(c["official_name"])))
    CONFLICTS_FOUND.labels("time_overlap").set(len(overlaps))
    CONFLICTS_FOUND.labels("duplicate_registration").set(len(duplicates))
    return {"year": year, "overlaps": overlaps, "duplicates": duplicates}


def _brief(r: Registration) -> dict[str, Any]:
    return {"registration_id": r.id, "unit_code": r.unit_code, "programme_code": r.programme_code,
            "plan_year": r.plan_year, "class_id": r.class_id, "status": r.status,
            "class_start": r.class_start.isoformat() if r.class_start else None,
            "class_end": r.class_end.isoformat() if r.class_end else None}


async def compliance(session: AsyncSession, *, year: int, units: list[str] | None, today: date) -> dict[str, Any]:
    """Per unit: officials, how many were trained in the year (a passed class), the share, and who is not yet."""
    policy = in_force("annual_training_obligation", date(year, 12, 31) if year < today.year else today)
    required = float(policy.param("required_share"))
    if policy.param("period") != "calendar_year":
        raise PolicyDataError(f"{policy.version_id}: only a calendar-year obligation is implemented")
    query = select(Official).where(Official.status == "active")
    if units is not None:
        query = query.where(Official.unit_code.in_(units))
    officials = (await session.execute(query)).scalars().all()
    trained = {r[0] for r in (await session.execute(select(TrainingRecord.official_id).where(
        TrainingRecord.year == year, TrainingRecord.result == "passed").distinct())).all()}
    names = {str(r[0]): str(r[1]) for r in (await session.execute(select(Unit.code, Unit.name))).all()}
    per_unit: dict[str, list[Official]] = {}
    for o in officials:
        per_unit.setdefault(o.unit_code, []).append(o)
    rows = []
    for code, members in per_unit.items():
        done = sum(1 for o in members if o.id in trained)
        share = done / len(members)
        COMPLIANCE_RATIO.labels(code).set(share)
        rows.append({"unit_code": code, "unit_name": names.get(code, code), "officials": len(members),
                     "trained": done, "percentage": round(100 * share, 1), "compliant": share >= required})
    rows.sort(key=lambda r: sort_key(str(r["unit_name"])))
    missing = sorted((o for o in officials if o.id not in trained), key=lambda o: sort_key_name(o.full_name))
    return {"year": year, "policy_version": policy.version_id, "required_share": required, "units": rows,
            "not_trained": [{"id": o.id, "full_name": o.full_name, "unit_code": o.unit_code,
                             "personal_id_masked": mask(o.personal_id)} for o in missing]}
