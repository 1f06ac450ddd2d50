"""Annual plans: programme × quota items split per unit; progress computed from enrolments only."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scheduling.domain.allocation import Progress, allocation_excess, unit_progress
from services.scheduling.domain.roster import ENROLLED
from services.scheduling.models import (
    CourseClass,
    Enrolment,
    Plan,
    PlanAllocation,
    PlanItem,
    Programme,
    ProgrammeVersion,
)
from services.scheduling.schemas import PlanCreate
from services.scheduling.service.class_store import utcnow
from services.scheduling.service.programmes import versions_of
from shared.audit import Actor, AuditEntry
from shared.errors import conflict, invalid, not_found
from shared.metrics import PLAN_FULFILMENT
from shared.uow import UnitOfWork

COUNTED = (ENROLLED, "completed")  # an enrolment counts towards the plan while enrolled, and once completed


async def adopt_plan(uow: UnitOfWork, *, data: PlanCreate, actor: Actor) -> Plan:
    """Adopt a plan; an allocation total above an item's quota is refused, naming the item."""
    for i, item in enumerate(data.items):
        excess = allocation_excess(item.quota, item.allocations)
        if excess:
            raise invalid(f"items.{i}.allocations", "allocation_above_quota",
                          f"Allocations total {sum(item.allocations.values())}, above the quota {item.quota}",
                          f"Tổng phân bổ {sum(item.allocations.values())} vượt chỉ tiêu {item.quota}")
        for unit, n in item.allocations.items():
            if n < 0:
                raise invalid(f"items.{i}.allocations.{unit}", "negative_allocation",
                              "An allocation cannot be negative", "Số phân bổ không được âm")
        if await uow.session.get(Programme, item.programme_code) is None:
            raise invalid(f"items.{i}.programme_code", "unknown_programme",
                          f"Programme {item.programme_code} does not exist",
                          f"Chương trình {item.programme_code} không tồn tại")
    dup = (await uow.session.execute(select(Plan.id).where(Plan.number == data.number, Plan.year == data.year))).first()
    if dup:
        raise conflict("duplicate_plan", f"Plan {data.number} of {data.year} already exists",
                       f"Đã có kế hoạch {data.number} năm {data.year}", field_name="number")
    plan = Plan(id=str(uuid.uuid4()), number=data.number, year=data.year, title=data.title,
                dispatch_date=data.dispatch_date, adopted_at=utcnow(),
                adopted_by=actor.user_id)
    uow.session.add(plan)
    await uow.session.flush()
    for i, item in enumerate(data.items):
        row = PlanItem(id=str(uuid.uuid4()), plan_id=plan.id, seq=i + 1, programme_code=item.programme_code,
                       quota=item.quota, priority_fields=item.priority_fields)
        uow.session.add(row)
        await uow.session.flush()
        for unit, n in item.allocations.items():
            uow.session.add(PlanAllocation(item_id=row.id, unit_code=unit, quota=n))
    await uow.session.flush()
    uow.emit("PlanAdopted", subject=plan.id, data={
        "plan_id": plan.id, "number": plan.number, "year": plan.year,
        "items": [{"programme_code": it.programme_code, "quota": it.quota} for it in data.items]})
    uow.audit(AuditEntry(actor=actor, action="plan.adopt", subject=f"plan:{plan.id}",
                         reason_vi=f"Ban hành kế hoạch {plan.number} năm {plan.year}",
                         reason_en=f"Plan {plan.number} for {plan.year} adopted",
                         inputs=data.model_dump(mode="json")))
    return plan


async def _items(session: AsyncSession, plan_id: str) -> list[tuple[PlanItem, dict[str, int]]]:
    items = (await session.execute(select(PlanItem).where(PlanItem.plan_id == plan_id)
                                   .order_by(PlanItem.seq))).scalars().all()
    out = []
    for it in items:
        allocs = (await session.execute(select(PlanAllocation).where(PlanAllocation.item_id == it.id))).scalars()
        out.append((it, {a.unit_code: a.quota for a in allocs}))
    return out


async def plan_doc(session: AsyncSession, plan: Plan) -> dict[str, Any]:
    """A plan with its items and allocations."""
    return {"id": plan.id, "number": plan.number, "year": plan.year, "title": plan.title,
            "adopted_at": plan.adopted_at.isoformat(),
            "dispatch_date": plan.dispatch_date.isoformat() if plan.dispatch_date else None,
            "items": [{"id": it.id, "programme_code": it.programme_code, "quota": it.quota, "allocations": alloc,
                       "priority_fields": it.priority_fields} for it, alloc in await _items(session, plan.id)]}


async def get_plan(session: AsyncSession, plan_id: str) -> Plan:
    """A plan, or 404."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise not_found("Plan", "kế hoạch", plan_id)
    return plan


def _progress(p: Progress) -> dict[str, Any]:
    ratio = p.ratio
    return {"planned": p.planned, "actual": p.actual, "remaining": p.remaining,
            "ratio": None if ratio is None else round(float(ratio), 4)}


async def plan_progress(session: AsyncSession, *, plan_id: str) -> dict[str, Any]:
    """Plan against actual per item and per unit, counted from enrolments in the plan year's classes."""
    plan = await get_plan(session, plan_id)
    items_out = []
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item, alloc in await _items(session, plan_id):
        rows = (await session.execute(
            select(Enrolment.unit_code, CourseClass.start_date, ProgrammeVersion.category)
            .join(CourseClass, CourseClass.id == Enrolment.class_id)
            .join(ProgrammeVersion, ProgrammeVersion.id == CourseClass.programme_version_id)
            .where(CourseClass.programme_code == item.programme_code, Enrolment.status.in_(COUNTED)))).all()
        in_year = [r for r in rows if r.start_date.year == plan.year]
        actual = Counter(r.unit_code for r in in_year)
        total = Progress(item.quota, sum(actual.values()))
        versions = await versions_of(session, item.programme_code)
        cat = versions[-1].category if versions else "unknown"
        by_category[cat][0] += total.planned
        by_category[cat][1] += total.actual
        items_out.append({"item_id": item.id, "programme_code": item.programme_code, **_progress(total),
                          "units": {u: _progress(p) for u, p in unit_progress(alloc, actual).items()}})
    for cat, (planned, actual_n) in by_category.items():
        if planned:
            PLAN_FULFILMENT.labels(cat).set(actual_n / planned)
    return {"plan_id": plan.id, "number": plan.number, "year": plan.year, "items": items_out}
