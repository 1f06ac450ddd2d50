"""What the approver of a flagged registration needs to decide, gathered at submission from what the checks read:
the official (position, title, category, age and retirement date, education, political theory, planning), the class
(its dates, where and by whom it is held, its hours: the timetable's, else the programme's), the official's training
this year, their other registrations and classes, and the unit's quota for the programme; each programme by its
name as well as its code ("" when scheduling did not name it).

It travels in RegistrationFlagged (``dossier``) to the review workflow, which files it in the task's typed view;
no personal id, and only what the decision needs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registration.adapters.catalogue import ClassInfo, Programme
from services.registration.adapters.policies import in_force
from services.registration.models import Official, Registration, TrainingRecord
from services.registration.service.officials import birth_of
from shared.cadre_planning import in_planning_on
from shared.retirement import age_on, retirement_date


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _class_hours(klass: ClassInfo | None, programme: Programme) -> float | None:
    """The class's hours: its timetable's when it has one, else what its programme requires (None: neither says)."""
    if klass is None:
        return None
    return klass.hours if klass.hours else programme.hours


async def review_dossier(session: AsyncSession, *, official: Official, plan_year: int, programme: Programme,
                         klass: ClassInfo | None, enrolled: list[ClassInfo], allocated: int | None, used: int,
                         registration_id: str, active_statuses: list[str], today: date,
                         names: dict[str, str] | None = None) -> dict[str, Any]:
    """The dossier of a flagged registration (plain JSON, as its event's contract describes it)."""
    birth = birth_of(official)
    named = names or {}
    trained = (await session.execute(select(TrainingRecord).where(
        TrainingRecord.official_id == official.id, TrainingRecord.year == plan_year)
        .order_by(TrainingRecord.start_date))).scalars().all()
    others = (await session.execute(select(Registration).where(
        Registration.official_id == official.id, Registration.id != registration_id,
        Registration.status.in_(active_statuses)).order_by(Registration.submitted_at))).scalars().all()
    return {
        "programme_name": programme.name or named.get(programme.code, ""),
        "position": official.position or "", "title": official.title or "", "category": official.category or "",
        "age": age_on(birth, today),
        "retirement_date": retirement_date(birth, official.gender, in_force("retirement_age", today)).isoformat(),
        "education": official.education or "", "political_theory": official.political_theory or "",
        "in_planning": in_planning_on(official.planning or [], today),
        "planning": [f"{e['position']} ({e['term']})" for e in official.planning or [] if not e.get("removed_on")],
        "class_code": klass.code if klass else "", "class_start": _day(klass.start_date if klass else None),
        "class_end": _day(klass.end_date if klass else None),
        "class_institution": klass.institution if klass else "", "class_venue": klass.venue if klass else "",
        "class_hours": _class_hours(klass, programme),
        "trained_this_year": [{"class_code": r.class_code, "programme_code": r.programme_code,
                               "programme_name": named.get(r.programme_code, ""), "start": _day(r.start_date),
                               "end": _day(r.end_date)} for r in trained],
        "other_registrations": [{"programme_code": r.programme_code, "programme_name": named.get(r.programme_code, ""),
                                 "plan_year": r.plan_year, "status": r.status, "start": _day(r.class_start),
                                 "end": _day(r.class_end)} for r in others],
        "classes": [{"class_code": c.code, "programme_code": c.programme_code,
                     "programme_name": named.get(c.programme_code, ""), "start": _day(c.start_date),
                     "end": _day(c.end_date)} for c in enrolled if not klass or c.id != klass.id],
        "quota_allocated": allocated, "quota_used": used,
    }
