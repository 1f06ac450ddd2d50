"""The annual report: scheduling's own records (classes, enrolments, plans) plus, over HTTP, registration's
compliance and selection's decisions — never their tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scheduling.domain import report_rows as rows
from services.scheduling.domain.report_rows import ClassFact, PlanItemFact, Selection
from services.scheduling.domain.training_year import training_year
from services.scheduling.models import CourseClass, Enrolment, EnrolmentRequest, Plan, PlanItem, ProgrammeVersion
from shared.auth import issue_token
from shared.config import Settings
from shared.http_client import async_client
from shared.logging import get_logger

log = get_logger(__name__)


async def _versions(session: AsyncSession) -> tuple[dict[str, ProgrammeVersion], dict[str, list[ProgrammeVersion]]]:
    all_versions = (await session.execute(select(ProgrammeVersion))).scalars().all()
    by_code: dict[str, list[ProgrammeVersion]] = {}
    for v in sorted(all_versions, key=lambda v: v.version_no):
        by_code.setdefault(v.programme_code, []).append(v)
    return {v.id: v for v in all_versions}, by_code


def _in_force(versions: list[ProgrammeVersion], day: date) -> ProgrammeVersion:
    found = [v for v in versions if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to)]
    return (found or versions)[-1]


async def class_facts(session: AsyncSession) -> list[ClassFact]:
    """Every class with its category, mode, report year, plan and the people counted in it."""
    by_id, _ = await _versions(session)
    plans = {p.id: p for p in (await session.execute(select(Plan))).scalars().all()}
    items = {i.id: i for i in (await session.execute(select(PlanItem))).scalars().all()}
    people: dict[str, list[str]] = {}
    for class_id, official_id in (await session.execute(
            select(Enrolment.class_id, Enrolment.official_id).where(Enrolment.status.in_(rows.COUNTED)))).all():
        people.setdefault(class_id, []).append(official_id)
    out = []
    for c in (await session.execute(select(CourseClass).order_by(CourseClass.code))).scalars().all():
        version = by_id[c.programme_version_id]
        plan = plans.get(items[c.plan_item_id].plan_id) if c.plan_item_id in items else None
        out.append(ClassFact(class_id=c.id, code=c.code, category=version.category, mode=version.mode,
                             year=training_year(plan_year=plan.year if plan else None, end_date=c.end_date),
                             status=c.status,
                             plan_number=plan.number if plan else None, plan_title=plan.title if plan else None,
                             programme_code=c.programme_code, people=tuple(people.get(c.id, ()))))
    return out


async def plan_item_facts(session: AsyncSession, years: tuple[int, ...]) -> list[PlanItemFact]:
    """The items of the plans of these years, with their programmes' category and mode in force on 1 January."""
    _, by_code = await _versions(session)
    found = (await session.execute(select(PlanItem, Plan).join(Plan, Plan.id == PlanItem.plan_id)
                                   .where(Plan.year.in_(years)).order_by(Plan.year, Plan.number, PlanItem.seq))).all()
    out = []
    for item, plan in found:
        v = _in_force(by_code[item.programme_code], date(plan.year, 1, 1))
        out.append(PlanItemFact(plan_number=plan.number, year=plan.year, programme_code=item.programme_code,
                                programme_name=v.name, category=v.category, mode=v.mode, quota=item.quota,
                                priority_fields=tuple(item.priority_fields or ())))
    return out


def _client(settings: Settings, service: str) -> httpx.AsyncClient:
    token = issue_token(settings, user_id="svc.scheduling", roles=["service"], units=["*"], ttl_seconds=300,
                        audience=[service])
    return async_client(base_url=settings.url_of(service), timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


async def selection_facts(settings: Settings, session: AsyncSession, classes: list[ClassFact],
                          year: int) -> Selection:
    """Selected per group from selection's decisions for the campaigns whose groups feed this year's
    source-cadre classes; when selection lists no campaigns, the selected people placed in each class."""
    mine = {c.class_id: c for c in classes if c.year == year and c.category == "source_cadre_class"
            and c.status != "cancelled"}
    if not mine:
        return Selection()
    try:
        async with _client(settings, "selection") as http:
            resp = await http.get("/campaigns")
            if resp.status_code == 200:
                selected: dict[str, int] = {}
                for camp in resp.json():
                    groups = {g["code"]: g.get("class_id") for g in camp.get("groups", [])}
                    if not any(cid in mine for cid in groups.values()):
                        continue
                    decision = await http.get(f"/campaigns/{camp['id']}/decision")
                    decision.raise_for_status()
                    for g in decision.json().get("groups", []):
                        if groups.get(g["group"]) in mine:
                            key = rows.group_key(g["group"])
                            selected[key] = selected.get(key, 0) + len(g.get("selected", []))
                return Selection(selected, "selection")
            log.info("report_selection_list_unavailable", status=resp.status_code)
    except httpx.HTTPError as exc:
        log.warning("report_selection_unreachable", error=repr(exc))
    reqs = (await session.execute(select(EnrolmentRequest.class_id).where(
        EnrolmentRequest.source == "selection", EnrolmentRequest.class_id.in_(list(mine))))).scalars().all()
    ordered = sorted(mine.values(), key=lambda c: c.code)
    return Selection({f"group_{i + 1}": sum(1 for r in reqs if r == c.class_id) for i, c in enumerate(ordered)},
                     "enrolment_requests")


async def compliance(settings: Settings, year: int) -> dict[str, Any]:
    """Per-unit compliance with the yearly training obligation, from registration's API."""
    try:
        async with _client(settings, "registration") as http:
            resp = await http.get("/compliance", params={"year": year})
        if resp.status_code != 200:
            return {"available": False, "error": f"registration answered {resp.status_code}", "units": []}
        found = resp.json()
    except httpx.HTTPError as exc:
        return {"available": False, "error": repr(exc), "units": []}
    units = found.get("units", [])
    total = sum(int(u["officials"]) for u in units)
    trained = sum(int(u["trained"]) for u in units)
    return {"available": True, "policy_version": found.get("policy_version"),
            "required_share": found.get("required_share"), "units": units, "officials": total, "trained": trained,
            "percentage": round(100 * trained / total, 1) if total else 0.0}


async def annual_report(settings: Settings, session: AsyncSession, *, year: int) -> dict[str, Any]:
    """The year's report: actual rows, next year's plan, plan vs actual, by category, per-unit compliance."""
    classes = await class_facts(session)
    items = await plan_item_facts(session, (year, year + 1))
    selection = await selection_facts(settings, session, classes, year)
    return {"year": year,
            "actual": rows.actual(classes, selection, year),
            "plan_next_year": rows.plan_next_year(items, classes, year),
            "plan_vs_actual": rows.plan_vs_actual(items, classes, year),
            "by_category": rows.by_category(classes, year),
            "compliance": await compliance(settings, year),
            "sources": {"selection": selection.source,
                        "classes_counted": sum(1 for c in classes if c.year == year and c.status != "cancelled")}}
