"""Programmes as effective-dated data: a stable code and versions, each in force over a period."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.scheduling.adapters.policies import in_force as policy_in_force
from services.scheduling.domain.programme_rules import defence_group, hours_mismatch, knowledge_group_unknown
from services.scheduling.models import Programme, ProgrammeVersion
from services.scheduling.schemas import ProgrammeCreate, ProgrammeVersionCreate
from services.scheduling.service.class_store import utcnow
from shared.audit import Actor, AuditEntry
from shared.errors import conflict, invalid, not_found
from shared.uow import UnitOfWork
from shared.vietnamese import fold


def _check_period(data: ProgrammeVersionCreate) -> None:
    if data.effective_to is not None and data.effective_to < data.effective_from:
        raise invalid("effective_to", "period_reversed", "effective_to is before effective_from",
                      "Ngày hết hiệu lực trước ngày bắt đầu hiệu lực")
    if defence_group(data.category.value) is not None:
        # the rule in force when the version takes effect fixes its periods
        wrong = hours_mismatch(data.category.value, data.hours,
                               policy_in_force("defence_security_periods", data.effective_from))
        if wrong:
            raise invalid("hours", "hours_not_by_rule", wrong[1], wrong[0])
    if data.category.value == "knowledge_update" and "knowledge_update_group" in data.target_criteria:
        unknown = knowledge_group_unknown(data.category.value, data.target_criteria,
                                          policy_in_force("knowledge_update_groups", data.effective_from))
        if unknown:
            raise invalid("target_criteria.knowledge_update_group", "group_not_in_force", unknown[1], unknown[0])


def _version(code: str, no: int, data: ProgrammeVersionCreate) -> ProgrammeVersion:
    return ProgrammeVersion(
        id=str(uuid.uuid4()), programme_code=code, version_no=no, effective_from=data.effective_from,
        effective_to=data.effective_to, name=data.name, name_en=data.name_en, name_folded=fold(data.name),
        category=data.category.value, mode=data.mode.value, hours=data.hours, provider=data.provider,
        target_criteria=data.target_criteria, created_at=utcnow())


def _emit(uow: UnitOfWork, v: ProgrammeVersion) -> None:
    uow.emit("ProgrammeDefined", subject=v.programme_code, data={
        "code": v.programme_code, "version_no": v.version_no, "name": v.name, "name_en": v.name_en,
        "category": v.category,
        "mode": v.mode, "hours": v.hours, "provider": v.provider, "effective_from": v.effective_from.isoformat(),
        "effective_to": v.effective_to.isoformat() if v.effective_to else None})


async def create_programme(uow: UnitOfWork, *, data: ProgrammeCreate, actor: Actor) -> ProgrammeVersion:
    """Define a programme with its first version."""
    _check_period(data)
    if await uow.session.get(Programme, data.code) is not None:
        raise conflict("duplicate_programme_code", f"Programme {data.code} already exists",
                       f"Đã có chương trình mã {data.code}", field_name="code")
    uow.session.add(Programme(code=data.code, created_at=utcnow(), created_by=actor.user_id))
    await uow.session.flush()
    version = _version(data.code, 1, data)
    uow.session.add(version)
    await uow.session.flush()
    _emit(uow, version)
    uow.audit(AuditEntry(actor=actor, action="programme.define", subject=f"programme:{data.code}",
                         reason_vi=f"Xác định chương trình {data.name} ({data.code})",
                         reason_en=f"Programme {data.code} defined", inputs=data.model_dump(mode="json")))
    return version


async def add_version(uow: UnitOfWork, *, code: str, data: ProgrammeVersionCreate, actor: Actor) -> ProgrammeVersion:
    """A new version from a date on; the version in force before it ends the day before."""
    _check_period(data)
    versions = await versions_of(uow.session, code)
    if not versions:
        raise not_found("Programme", "chương trình", code)
    latest = versions[-1]
    if data.effective_from <= latest.effective_from:
        raise invalid("effective_from", "not_after_current",
                      f"effective_from must be after {latest.effective_from.isoformat()} (the latest version's start)",
                      f"Ngày hiệu lực phải sau {latest.effective_from.isoformat()} "
                      "(ngày hiệu lực của phiên bản gần nhất)")
    if latest.effective_to is None or latest.effective_to >= data.effective_from:
        latest.effective_to = date.fromordinal(data.effective_from.toordinal() - 1)
    version = _version(code, latest.version_no + 1, data)
    uow.session.add(version)
    await uow.session.flush()
    _emit(uow, version)
    uow.audit(AuditEntry(actor=actor, action="programme.version", subject=f"programme:{code}",
                         reason_vi=f"Phiên bản {version.version_no} của chương trình {code} "
                                   f"có hiệu lực từ {data.effective_from.isoformat()}",
                         reason_en=f"Version {version.version_no} of programme {code} "
                                   f"in force from {data.effective_from.isoformat()}",
                         inputs=data.model_dump(mode="json")))
    return version


async def versions_of(session: AsyncSession, code: str) -> list[ProgrammeVersion]:
    """A programme's versions, oldest first."""
    rows = await session.execute(select(ProgrammeVersion).where(ProgrammeVersion.programme_code == code)
                                 .order_by(ProgrammeVersion.version_no))
    return list(rows.scalars().all())


def in_force(versions: list[ProgrammeVersion], on: date) -> ProgrammeVersion | None:
    """The version in force on a day."""
    for v in reversed(versions):
        if v.effective_from <= on and (v.effective_to is None or on <= v.effective_to):
            return v
    return None


def as_dict(v: ProgrammeVersion) -> dict[str, object]:
    """A version as the API returns it."""
    return {"code": v.programme_code, "name": v.name, "name_en": v.name_en, "category": v.category, "mode": v.mode,
            "hours": v.hours,
            "provider": v.provider, "target_criteria": v.target_criteria, "version_no": v.version_no,
            "effective_from": v.effective_from.isoformat(),
            "effective_to": v.effective_to.isoformat() if v.effective_to else None}
