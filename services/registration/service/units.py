"""Registration's domain operations; each runs inside a unit of work it is handed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.registration.models import Unit
from services.registration.schemas import UnitCreate
from shared.audit import Actor, AuditEntry
from shared.errors import conflict, invalid
from shared.uow import UnitOfWork
from shared.vietnamese import fold


async def create_unit(uow: UnitOfWork, *, data: UnitCreate, actor: Actor) -> Unit:
    """Register a unit; its UnitCreated event and audit record commit with it."""
    existing = (await uow.session.execute(select(Unit.id).where(Unit.code == data.code))).first()
    if existing:
        raise conflict("duplicate_unit_code", f"A unit with code {data.code} already exists",
                       f"Đã có đơn vị với mã {data.code}", field_name="code")
    if data.parent_code:
        parent = (await uow.session.execute(select(Unit.id).where(Unit.code == data.parent_code))).first()
        if not parent:
            raise invalid("parent_code", "unknown_unit", f"Parent unit {data.parent_code} does not exist",
                          f"Đơn vị cấp trên {data.parent_code} không tồn tại")
    unit = Unit(id=str(uuid.uuid4()), code=data.code, name=data.name, name_folded=fold(data.name),
                kind=data.kind.value, parent_code=data.parent_code, status="active",
                created_at=datetime.now(UTC), created_by=actor.user_id)
    uow.session.add(unit)
    await uow.session.flush()
    uow.emit("UnitCreated", subject=unit.id, data={
        "unit_id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "parent_code": unit.parent_code})
    uow.audit(AuditEntry(
        actor=actor, action="unit.create", subject=f"unit:{unit.code}",
        reason_vi=f"Tạo đơn vị {unit.name} ({unit.code})", reason_en=f"Unit {unit.code} created",
        inputs=data.model_dump(mode="json")))
    return unit
