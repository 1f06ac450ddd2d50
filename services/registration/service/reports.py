"""Province-wide reads: conflicts (overlapping classes, duplicate registrations) and annual training compliance."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.registration.adapters.policies import in_force
from services.registration.domain.personal_id import mask
from services.registration.models import Official, Registration, TrainingRecord, Unit
from shared.metrics import COMPLIANCE_RATIO, CONFLICTS_FOUND
from shared.policy import PolicyDataError
from shared.vietnamese import NameSortKey, sort_key, sort_key_name

# the province-wide scan's sort and hash memory on PostgreSQL (the server's default, 4 MB, spills the duplicate
# groups' sort and the overlap join's hash to disk from a few hundred thousand registrations on, and steers the
# window count to an index scan over the whole table; docs/performance.md, Conflicts, 2026-12-04)
REPORT_WORK_MEM = "64MB"


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a report builds its rows (plain dicts, lists and strings: no
    cycles, so reference counting frees all of it). Each full collection walks every object alive, and the answer
    holds millions: 20-25 % of the scan at 3 M registrations, more at 12 M. Reference counting still runs; the
    collector resumes when the report is built (unless it was already paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def conflicts(session: AsyncSession, *, year: int, today: date) -> dict[str, Any]:
    """Everyone in overlapping classes, and every duplicate registration (same programme and year), all units.

    Two statements, set-based, reading only the columns reported: the overlapping pairs (a self-join per person),
    and every registration of a duplicate group at once (a window count per person and programme) — not one query
    per group, and no ORM objects. The cycle collector is paused meanwhile (other work of the process keeps its
    cyclic garbage until the report is built)."""
    with _no_cycle_collection():
        return await _conflicts(session, year=year, today=today)


async def _conflicts(session: AsyncSession, *, year: int, today: date) -> dict[str, Any]:
    active = list(in_force("registration_checks", today).param("active_statuses"))
    if session.get_bind().dialect.name == "postgresql":  # for this transaction only
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    a, b = aliased(Registration), aliased(Registration)
    overlap_rows = (await session.execute(
        select(a.official_id, a.official_name, *_brief_columns(a), *_brief_columns(b))
        .join(b, and_(a.official_id == b.official_id, a.id < b.id)).where(
            a.status.in_(active), b.status.in_(active), a.class_start.is_not(None), b.class_start.is_not(None),
            a.class_start <= b.class_end, b.class_start <= a.class_end,
            or_(a.plan_year == year, b.plan_year == year)))).all()
    width = len(BRIEF)
    overlaps: list[dict[str, Any]] = [
        {"official_id": row[0], "official_name": row[1],
         "registrations": [_brief(row[2:2 + width]), _brief(row[2 + width:])]} for row in overlap_rows]
    r = Registration
    group_size = func.count().over(partition_by=(r.official_id, r.programme_code)).label("n")
    in_groups = (select(r.official_id, r.official_name, *_brief_columns(r), group_size)
                 .where(r.plan_year == year, r.status.in_(active)).subquery())
    dup_rows = (await session.execute(select(in_groups).where(in_groups.c.n > 1).order_by(
        in_groups.c.official_id, in_groups.c.programme_code, in_groups.c.id))).all()
    duplicates: list[dict[str, Any]] = []
    for (official_id, programme_code), group in groupby(dup_rows, key=lambda row: (row[0], row[4])):
        rows = list(group)
        regs = [_brief(row[2:2 + width]) for row in rows]
        duplicates.append({"official_id": official_id, "official_name": rows[0][1], "programme_code": programme_code,
                           "registrations": regs, "units": sorted({x["unit_code"] for x in regs})})
    keys: dict[str, NameSortKey] = {}  # one key a person: most people of a conflict appear in several

    def by_name(c: dict[str, Any]) -> NameSortKey:
        name = str(c["official_name"])
        key = keys.get(name)
        if key is None:
            key = keys[name] = sort_key_name(name)
        return key

    overlaps.sort(key=by_name)
    duplicates.sort(key=by_name)
    CONFLICTS_FOUND.labels("time_overlap").set(len(overlaps))
    CONFLICTS_FOUND.labels("duplicate_registration").set(len(duplicates))
    return {"year": year, "overlaps": overlaps, "duplicates": duplicates}


# what a conflict shows of each registration, in this order (`_brief`)
BRIEF = ("id", "unit_code", "programme_code", "plan_year", "class_id", "status", "class_start", "class_end")


def _brief_columns(r: Any) -> list[Any]:
    return [getattr(r, name) for name in BRIEF]


def _brief(values: Sequence[Any]) -> dict[str, Any]:
    reg_id, unit_code, programme_code, plan_year, class_id, status, start, end = values
    return {"registration_id": reg_id, "unit_code": unit_code, "programme_code": programme_code,
            "plan_year": plan_year, "class_id": class_id, "status": status,
            "class_start": start.isoformat() if start else None,
            "class_end": end.isoformat() if end else None}


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
