"""Officials: validation, upsert by personal id, the dossier with derived fields, dossier reads, search."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registration.adapters.policies import in_force
from services.registration.domain.personal_id import mask, parse_personal_id
from services.registration.models import DossierRead, Official, OfficialUnitHistory, TrainingRecord, Unit
from services.registration.schemas import OfficialCreate, OfficialDossier, OfficialSummary
from services.registration.service.dispatches import dispatches_of, line
from services.registration.service.planning import planning_errors, planning_of
from shared.audit import Actor, AuditEntry
from shared.auth import Principal
from shared.cadre_planning import in_planning_on
from shared.domain_errors import DomainValidationError
from shared.errors import FieldError, Problem
from shared.retirement import BirthDate, age_on, retirement_date
from shared.uow import UnitOfWork
from shared.vietnamese import fold, sort_key_name

FIELDS = ("full_name", "gender", "birth_year", "birth_month", "birth_day", "unit_code", "category", "position",
          "position_level",
          "title", "civil_service_rank", "education", "political_theory", "party_join_date", "service_start",
          "ratings", "planning", "discipline")


def _err(field_name: str, code: str, en: str, vi: str) -> FieldError:
    return FieldError(field_name, code, en, vi)


@dataclass
class Known:
    """What a batch (an import) read once instead of once a row: every unit's status, and the records of the batch's
    personal ids that exist (kept up to date as the batch creates records)."""

    units: dict[str, str]
    officials: dict[str, Official]

    @classmethod
    async def of(cls, session: AsyncSession, personal_ids: list[str]) -> Known:
        units = {code: status for code, status in (await session.execute(select(Unit.code, Unit.status))).all()}
        officials: dict[str, Official] = {}
        for start in range(0, len(personal_ids), 500):
            chunk = personal_ids[start:start + 500]
            officials.update({o.personal_id: o for o in (await session.execute(
                select(Official).where(Official.personal_id.in_(chunk)))).scalars()})
        return cls(units, officials)


async def check_official(session: AsyncSession, data: OfficialCreate, *, today: date,
                         known: Known | None = None) -> list[FieldError]:
    """Every rule beyond the types: the personal id, the birth date, the unit, dates not in the future."""
    errors: list[FieldError] = []
    birth: BirthDate | None = None
    try:
        birth = BirthDate(data.birth.year, data.birth.month, data.birth.day)
    except DomainValidationError as exc:
        errors.append(_err("birth", exc.code, exc.message_en, exc.message_vi))
    if birth is not None and birth.as_date() > today:
        errors.append(_err("birth", "birth_in_future", "The birth date is after today",
                           "Ngày sinh sau ngày hôm nay"))
        birth = None
    try:
        parse_personal_id(data.personal_id, birth_year=birth.year if birth else None, gender=data.gender)
    except DomainValidationError as exc:
        errors.append(_err("personal_id", exc.code, exc.message_en, exc.message_vi))
    for name in ("party_join_date", "service_start"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors.append(_err(name, "date_in_future", f"{name} is after today", f"{name} sau ngày hôm nay"))
        elif value is not None and birth is not None and value <= birth.as_date():
            errors.append(_err(name, "date_before_birth", f"{name} is before the birth date",
                               f"{name} trước ngày sinh"))
    for year in data.ratings:
        if not (year.isdigit() and len(year) == 4):
            errors.append(_err("ratings", "rating_year_invalid", f"Rating year {year} is not a year",
                               f"Năm đánh giá {year} không hợp lệ"))
    errors.extend(await planning_errors(session, data, today=today))
    if known is not None:
        status = known.units.get(data.unit_code)
    else:
        status = (await session.execute(select(Unit.status).where(Unit.code == data.unit_code))).scalar_one_or_none()
    if status is None:
        errors.append(_err("unit_code", "unknown_unit", f"Unit {data.unit_code} does not exist",
                           f"Đơn vị {data.unit_code} không tồn tại"))
    elif status != "active":
        errors.append(_err("unit_code", "unit_not_active", f"Unit {data.unit_code} is {status}",
                           f"Đơn vị {data.unit_code} không còn hoạt động ({status})"))
    return errors


def invalid_official(errors: list[FieldError]) -> Problem:
    """A 422 naming every bad field in both languages."""
    names = ", ".join(e.field for e in errors)
    return Problem(422, "validation_failed", "The request is not valid", "Yêu cầu không hợp lệ",
                   f"Invalid fields: {names}", f"Các trường không hợp lệ: {names}", errors)


def _values(data: OfficialCreate) -> dict[str, Any]:
    dumped = data.model_dump(mode="json")
    return {"full_name": data.full_name, "gender": data.gender, "birth_year": data.birth.year,
            "birth_month": data.birth.month, "birth_day": data.birth.day, "unit_code": data.unit_code,
            "category": data.category, "position": data.position, "position_level": data.position_level,
            "title": data.title,
            "civil_service_rank": data.civil_service_rank, "education": data.education,
            "political_theory": data.political_theory, "party_join_date": data.party_join_date,
            "service_start": data.service_start, "ratings": dict(data.ratings), "planning": planning_of(data),
            "discipline": dumped["discipline"]}


async def upsert_official(uow: UnitOfWork, *, data: OfficialCreate, actor: Actor, today: date,
                          audit: bool = True, known: Known | None = None) -> tuple[Official, str]:
    """Create or update by personal id; an identical record changes nothing ("unchanged"). With ``known`` (a batch)
    the record is looked up there and the rows are written when the batch flushes."""
    pid = data.personal_id.strip()
    now = datetime.now(UTC)
    values = _values(data)
    if known is not None:
        found = known.officials.get(pid)
    else:
        found = (await uow.session.execute(select(Official).where(Official.personal_id == pid))).scalar_one_or_none()
    before = {(e["position"], e["term"]) for e in (found.planning if found else []) if e.get("removed_on")}
    if found is None:
        found = Official(id=str(uuid.uuid4()), personal_id=pid, name_folded=fold(data.full_name), status="active",
                         created_at=now, updated_at=now, **values)
        uow.session.add(found)
        uow.session.add(OfficialUnitHistory(id=str(uuid.uuid4()), official_id=found.id, unit_code=data.unit_code,
                                            valid_from=today, valid_to=None, reason="created"))
        if known is not None:
            known.officials[pid] = found
        outcome = "created"
    else:
        changed = {k: v for k, v in values.items() if getattr(found, k) != v}
        if not changed:
            return found, "unchanged"
        if "unit_code" in changed:
            await move_official(uow, official=found, to_unit=data.unit_code, on=today, reason="transfer")
        for key, value in changed.items():
            setattr(found, key, value)
        found.name_folded = fold(found.full_name)
        found.updated_at = now
        outcome = "updated"
    if known is None:
        await uow.session.flush()
    if audit:
        uow.audit(AuditEntry(
            actor=actor, action=f"official.{'create' if outcome == 'created' else 'update'}",
            subject=f"official:{found.id}", reason_vi=f"Cập nhật hồ sơ {found.full_name} ({outcome})",
            reason_en=f"Official record {outcome}", secret_inputs=True,  # secret data: only the digest is kept
            inputs={**data.model_dump(mode="json"), "personal_id": mask(pid)}))
    for entry in found.planning or []:
        if entry.get("removed_on") and (entry["position"], entry["term"]) not in before:
            uow.audit(AuditEntry(
                actor=actor, action="planning.remove", subject=f"official:{found.id}",
                reason_vi=entry["removed_reason_vi"], reason_en=entry["removed_reason_en"],
                policy_version=entry["removal_rule_version"],
                inputs={"position": entry["position"], "term": entry["term"], "removed_on": entry["removed_on"]}))
    return found, outcome


async def move_official(uow: UnitOfWork, *, official: Official, to_unit: str, on: date, reason: str) -> None:
    """Close the official's current unit membership on `on` and open one in `to_unit`."""
    current = (await uow.session.execute(select(OfficialUnitHistory).where(
        OfficialUnitHistory.official_id == official.id, OfficialUnitHistory.valid_to.is_(None)))).scalars().all()
    for row in current:
        row.valid_to = on
    uow.session.add(OfficialUnitHistory(id=str(uuid.uuid4()), official_id=official.id, unit_code=to_unit,
                                        valid_from=on, valid_to=None, reason=reason))
    official.unit_code = to_unit


def birth_of(o: Official) -> BirthDate:
    return BirthDate(o.birth_year, o.birth_month, o.birth_day)


def summary(o: Official, *, today: date) -> OfficialSummary:
    """An official in a list, personal id masked."""
    return OfficialSummary(id=o.id, personal_id_masked=mask(o.personal_id), full_name=o.full_name, gender=o.gender,
                           birth={"year": o.birth_year, "month": o.birth_month, "day": o.birth_day},
                           unit_code=o.unit_code, category=o.category, position=o.position, title=o.title,
                           education=o.education, political_theory=o.political_theory,
                           age=age_on(birth_of(o), today), position_level=o.position_level)


async def dossier(session: AsyncSession, o: Official, *, today: date, show_personal_id: bool) -> OfficialDossier:
    """The full dossier with age and retirement date under the retirement policy in force today."""
    policy = in_force("retirement_age", today)
    records = (await session.execute(select(TrainingRecord).where(TrainingRecord.official_id == o.id)
                                     .order_by(TrainingRecord.end_date))).scalars().all()
    history = (await session.execute(select(OfficialUnitHistory).where(OfficialUnitHistory.official_id == o.id)
                                     .order_by(OfficialUnitHistory.valid_from))).scalars().all()
    commitments = [{"dispatch_id": d.id, "programme_code": d.programme_code,
                    "dispatched_on": d.dispatched_on.isoformat(), "commitment_months": d.commitment_months,
                    "policy_version": d.policy_version, "left_on": d.left_on.isoformat() if d.left_on else None,
                    "refund": d.refund, "line_vi": line(d)[0], "line_en": line(d)[1]}
                   for d in await dispatches_of(session, o.id)]
    base = summary(o, today=today).model_dump()
    return OfficialDossier(
        **base, personal_id=o.personal_id if show_personal_id else None, civil_service_rank=o.civil_service_rank,
        party_join_date=o.party_join_date, service_start=o.service_start, ratings=dict(o.ratings or {}),
        in_planning=in_planning_on(o.planning or [], today), planning=list(o.planning or []),
        discipline=list(o.discipline or []),
        training_record=[{"class_id": r.class_id, "class_code": r.class_code, "programme_code": r.programme_code,
                          "programme_category": r.programme_category, "year": r.year,
                          "start_date": r.start_date.isoformat(), "end_date": r.end_date.isoformat(),
                          "hours": r.hours, "result": r.result} for r in records],
        retirement_date=retirement_date(birth_of(o), o.gender, policy), retirement_policy_version=policy.version_id,
        unit_history=[{"unit_code": h.unit_code, "valid_from": h.valid_from.isoformat(),
                       "valid_to": h.valid_to.isoformat() if h.valid_to else None, "reason": h.reason}
                      for h in history], service_commitments=commitments)


async def record_read(uow: UnitOfWork, *, official_id: str, principal: Principal) -> None:
    """Record who read which dossier, and when."""
    uow.session.add(DossierRead(id=str(uuid.uuid4()), official_id=official_id, reader_id=principal.user_id,
                                reader_roles=",".join(sorted(principal.roles)), read_at=datetime.now(UTC)))


async def search(session: AsyncSession, *, q: str | None, units: list[str] | None,
                 filters: dict[str, str | None], limit: int, offset: int) -> list[Official]:
    """Officials matching a name (ignoring diacritics and case), a unit and attributes, in Vietnamese order."""
    query = select(Official).where(Official.status == "active")
    if q:
        query = query.where(Official.name_folded.contains(fold(q)))
    if units is not None:
        query = query.where(Official.unit_code.in_(units))
    for name, value in filters.items():
        if value:
            query = query.where(getattr(Official, name) == value)
    rows = (await session.execute(query)).scalars().all()
    ordered = sorted(rows, key=lambda o: (sort_key_name(o.full_name), o.id))
    return ordered[offset:offset + limit]
